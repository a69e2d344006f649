import Foundation
import Testing

@testable import LMDB

/// A fresh directory under the system's temporary folder, removed when the closure returns.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let path = NSTemporaryDirectory() + "lmdb-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Async variant of ``withTemporaryDirectory(_:)``.
func withTemporaryDirectory<R>(_ body: (String) async throws -> R) async throws -> R {
    let path = NSTemporaryDirectory() + "lmdb-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// The bytes of a string, as LMDB keys and values.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A string made of bytes (for readable expectations).
func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

/// A child process of the package's `TestWorker` program.
struct Worker {
    let process: Process
    let output: Pipe

    /// Starts `TestWorker` with `arguments`.
    static func start(_ arguments: [String]) throws -> Worker {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var executable = directory.appendingPathComponent("TestWorker")
        if !FileManager.default.fileExists(atPath: executable.path) {
            // Inside an .xctest bundle directory the binary sits one level higher.
            executable = directory.deletingLastPathComponent().appendingPathComponent("TestWorker")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return Worker(process: process, output: output)
    }

    /// Reads one line of the worker's output.
    func readLine() -> String {
        var line = [UInt8]()
        let handle = output.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte.first == UInt8(ascii: "\n") { break }
            line.append(contentsOf: byte)
        }
        return String(decoding: line, as: UTF8.self)
    }

    /// Waits for the worker to exit (at most `seconds`, then kills it) and returns its status.
    @discardableResult
    func wait(seconds: Double = 60) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Kills the worker with SIGKILL and reaps it.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
