import DiskCache
import Foundation
import TestSupport

/// What a run of the `cashews` executable printed and how it exited.
struct CLIResult {
    var status: Int32
    var stdout: [UInt8]
    var stderr: String
    /// Standard output as text.
    var output: String { String(decoding: stdout, as: UTF8.self) }
    /// Standard output parsed as one JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(stdout), options: [])) as? [String: Any] ?? [:]
    }
}

/// Runs the built `cashews` executable (it sits beside the test bundle, like `TestWorker`).
enum CLI {
    /// The executable's path.
    static let executable: URL = {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let beside = directory.appendingPathComponent("cashews")
        if FileManager.default.fileExists(atPath: beside.path) { return beside }
        return directory.deletingLastPathComponent().appendingPathComponent("cashews")
    }()

    /// Runs `cashews arguments…` with `input` on stdin (or the file at `inputFile`) and waits for
    /// it (at most `seconds`, then it is killed).
    static func run(
        _ arguments: [String], input: [UInt8] = [], inputFile: String? = nil, environment: [String: String] = [:],
        seconds: Double = 120
    ) throws -> CLIResult {
        let process = try start(arguments, inputFile: inputFile, environment: environment)
        if inputFile == nil, let pipe = process.process.standardInput as? Pipe {
            if !input.isEmpty { pipe.fileHandleForWriting.write(Data(input)) }
            try pipe.fileHandleForWriting.close()
        }
        return process.finish(seconds: seconds)
    }

    /// Starts `cashews arguments…`; its output goes to files read by ``Running/finish(seconds:)``.
    static func start(
        _ arguments: [String], inputFile: String? = nil, environment: [String: String] = [:]
    ) throws -> Running {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        variables["SWIFT_BACKTRACE"] = "enable=no"
        variables.removeValue(forKey: "CASHEWS_CACHE")
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
        let outPath = TemporaryDirectory.path("stdout")
        let errPath = TemporaryDirectory.path("stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: outPath)
        process.standardError = FileHandle(forWritingAtPath: errPath)
        if let inputFile {
            process.standardInput = FileHandle(forReadingAtPath: inputFile)
        } else {
            process.standardInput = Pipe()
        }
        try process.run()
        return Running(process: process, outPath: outPath, errPath: errPath)
    }

    /// A started run.
    struct Running {
        let process: Process
        let outPath: String
        let errPath: String

        /// Waits for the exit (killing it after `seconds`) and collects the output.
        func finish(seconds: Double = 120) -> CLIResult {
            let status = process.waitForExit(seconds: seconds)
            defer {
                try? FileManager.default.removeItem(atPath: outPath)
                try? FileManager.default.removeItem(atPath: errPath)
            }
            let out = FileManager.default.contents(atPath: outPath) ?? Data()
            let err = FileManager.default.contents(atPath: errPath) ?? Data()
            return CLIResult(
                status: status, stdout: Array(out), stderr: String(decoding: err, as: UTF8.self))
        }
    }
}

/// A new cache directory, created through the engine, removed when the closure returns.
func withCache<R>(
    clock: CacheClock = .system, blobThreshold: Int = 32 << 10, policy: EvictionPolicy = .leastRecentlyStored,
    _ body: (String, DiskCache) throws -> R
) throws -> R {
    try withTemporaryPath(create: false) { path in
        let cache = try DiskCache(
            directory: path,
            configuration: .init(
                sizeLimit: nil, evictionPolicy: policy, durability: .none, blobThreshold: blobThreshold, clock: clock))
        return try body(path, cache)
    }
}

/// The wall clock in milliseconds since 1970.
func wallClockMilliseconds() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
