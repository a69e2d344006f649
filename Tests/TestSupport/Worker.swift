import Foundation

/// A child process of the package's `TestWorker` program, for multi-process tests.
public struct Worker {
    /// The running process.
    public let process: Process
    /// Its standard output.
    public let output: Pipe
    /// How it ended, once ``wait(seconds:)`` or ``kill9()`` has reaped it.
    private let end = EndBox()

    private final class EndBox: @unchecked Sendable {
        var exit: ChildExit?
    }

    /// True when a signal ended it (after ``wait(seconds:)``).
    public var endedBySignal: Bool { end.exit?.bySignal ?? false }

    /// Starts `TestWorker` (built beside the test bundle) with `arguments`.
    public static func start(_ arguments: [String]) throws -> Worker {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var executable = directory.appendingPathComponent("TestWorker")
        if !FileManager.default.fileExists(atPath: executable.path) {
            // Inside an .xctest bundle directory the binary sits one level higher.
            executable = directory.deletingLastPathComponent().appendingPathComponent("TestWorker")
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        // A crashing worker (the corruption tests expect some) exits at once, without Swift's
        // backtrace on the test output.
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        return Worker(process: process, output: output)
    }

    /// Reads one line of the worker's output; empty at the end of its output, or when nothing
    /// arrives within `seconds` (the worker is then killed, so a test never hangs on it).
    public func readLine(seconds: Double = 60) -> String {
        var line = [UInt8]()
        let fd = output.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            if poll(&poller, 1, remaining) <= 0 {
                kill9()
                break
            }
            var byte: UInt8 = 0
            if read(fd, &byte, 1) != 1 || byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        return String(decoding: line, as: UTF8.self)
    }

    /// Waits for the worker to exit (at most `seconds`, then kills it) and returns its status.
    @discardableResult
    public func wait(seconds: Double = 120) -> Int32 {
        if let exit = end.exit { return exit.status }
        let exit = process.waitForEnd(seconds: seconds)
        end.exit = exit
        return exit.status
    }

    /// Kills the worker with SIGKILL and reaps it.
    public func kill9() {
        kill(process.processIdentifier, SIGKILL)
        _ = wait()
    }
}
