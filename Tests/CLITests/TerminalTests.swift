import DiskCache
import Foundation
import TestSupport
import Testing

/// The progress line appears on a real pseudo-terminal and nowhere else.
@Suite struct TerminalTests {
    /// util-linux `script`, which runs a command on a new pseudo-terminal.
    static let script = ["/usr/bin/script", "/bin/script"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(.enabled(if: script != nil, "needs util-linux script for a pseudo-terminal"))
    func exportDrawsProgressOnATerminalOnly() throws {
        try withCache { path, cache in
            for start in stride(from: 0, to: 300_000, by: 10_000) {
                try cache.set((start..<start + 10_000).map { (key: "k\($0)", value: [UInt8(truncatingIfNeeded: $0)]) })
            }
            let output = path + "-export.jsonl"
            defer { try? FileManager.default.removeItem(atPath: output) }
            // On a pseudo-terminal: stdout to a file, the progress line on the terminal.
            let command = "'\(CLI.executable.path)' export -c '\(path)' --batch 100 > '\(output)'"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: TerminalTests.script!)
            process.arguments = ["-qec", command, "/dev/null"]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let terminal = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.waitForExit() == 0)
            #expect(terminal.contains("export "))
            #expect(terminal.contains("/300,000"))
            #expect(terminal.contains("/s"))
            #expect(terminal.contains("exported 300,000 entries"))
            #expect(try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n").count == 300_000)

            // Not a terminal: nothing on stderr.
            let quiet = try CLI.run(["export", "-c", path, "--batch", "100"])
            #expect(quiet.status == 0)
            #expect(quiet.stderr.isEmpty)
            #expect(!quiet.output.contains("\u{1B}"))
        }
    }
}
