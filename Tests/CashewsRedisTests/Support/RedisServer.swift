import Foundation
import Glibc
import NIOCore
import NIOPosix
import Synchronization
import TestSupport

@testable import CashewsRedis

/// A redis-server of a test's own: a free loopback port, a throw-away directory, stopped by
/// ``stop()`` (and killed at the latest when the process exits).
final class RedisServer: Sendable {
    let port: Int
    let directory: String
    let fakeTime: FakeTime?
    private let extraArguments: [String]
    private let process = Mutex<Process?>(nil)

    /// The server's `redis://` URL (with `parameters` appended).
    func url(_ parameters: String = "") -> String {
        "redis://127.0.0.1:\(port)" + (parameters.isEmpty ? "" : "?" + parameters)
    }

    /// The path of its unix socket (short: a socket's path has at most 107 bytes, more than the
    /// temporary directory may leave).
    var socketPath: String { "/tmp/cashews-redis-\(port).sock" }

    /// A configuration reaching it over TCP.
    func configuration() -> RedisConfiguration {
        RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port))
    }

    private init(port: Int, directory: String, fakeTime: FakeTime?, extraArguments: [String]) {
        self.port = port
        self.directory = directory
        self.fakeTime = fakeTime
        self.extraArguments = extraArguments
    }

    /// Starts a server; with `clockAt`, its wall clock is a ``FakeTime`` starting there.
    static func start(clockAt milliseconds: Int64? = nil, arguments: [String] = []) async throws -> RedisServer {
        let directory = TemporaryDirectory.path("redis", create: true)
        let fakeTime = try milliseconds.map { try FakeTime(path: directory + "/time", milliseconds: $0) }
        // A probed port may be taken again before the server binds it (another test's client
        // connection can get it as its ephemeral source port): then try another.
        var attempt = 0
        while true {
            attempt += 1
            let server = RedisServer(
                port: try await freePort(), directory: directory, fakeTime: fakeTime, extraArguments: arguments)
            do {
                try await server.launch()
                return server
            } catch is PortTaken where attempt < 5 {
                server.kill()
            }
        }
    }

    /// The server could not bind its port: another socket took it after it was probed.
    struct PortTaken: Error {}

    /// A free loopback port (bound, read and released), never one handed out before in this
    /// process: tests start servers in parallel, and a port released by one probe could
    /// otherwise be handed to the next before its server binds it.
    static func freePort() async throws -> Int {
        while true {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).get()
            let port = channel.localAddress?.port ?? 0
            try await channel.close()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
    }

    private static let handedOut = Mutex<Set<Int>>([])

    /// Starts the process (again, after ``kill()``) on the same port and waits until it answers.
    func launch() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/redis-server") else {
            throw TestFailure("redis-server is not installed: run `make deps` (apt-get install redis-server)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments =
            [
                "--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory,
                "--unixsocket", socketPath, "--unixsocketperm", "700", "--daemonize", "no", "--loglevel", "warning",
                "--enable-debug-command", "yes",
            ] + extraArguments
        var environment = ProcessInfo.processInfo.environment
        if let fakeTime {
            environment["LD_PRELOAD"] = try FakeTime.shim.get()
            environment["CASHEWS_FAKE_TIME"] = fakeTime.path
        }
        process.environment = environment
        let log = directory + "/server.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        self.process.withLock { $0 = process }
        RedisServer.running.withLock { _ = $0.insert(process.processIdentifier) }
        // Ready when it answers PING (at most 10 s).
        var configuration = configuration()
        configuration.connectTimeout = .milliseconds(200)
        var lastError: (any Error)?
        for _ in 0..<200 {
            do {
                let connection = try await RedisConnection.open(configuration)
                _ = try? await connection.send(["PING"])
                await connection.close()
                return
            } catch {
                lastError = error
            }
            if let output = try? String(contentsOfFile: log, encoding: .utf8), output.contains("Address already in use")
            {
                throw PortTaken()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw TestFailure("redis-server on port \(port) did not start: \(lastError.map { "\($0)" } ?? "") \(output)")
    }

    /// Kills the server at once (SIGKILL), as a crash would.
    func kill() {
        guard let process = process.withLock({ $0 }) else { return }
        let pid = process.processIdentifier
        Glibc.kill(pid, SIGKILL)
        process.waitForExit()
        RedisServer.running.withLock { _ = $0.remove(pid) }
    }

    /// Stops the server and removes its directory.
    func stop() {
        // SIGKILL: the data is thrown away anyway, and a child of a process whose threads block
        // SIGTERM may inherit that mask and never see a SIGTERM.
        kill()
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.removeItem(atPath: socketPath)
    }

    /// Servers still running, killed when the test process exits.
    private static let running: Mutex<Set<Int32>> = {
        atexit {
            for pid in RedisServer.running.withLock({ $0 }) { Glibc.kill(pid, SIGKILL) }
        }
        return Mutex([])
    }()
}

/// Runs `body` with a fresh server, stopped afterwards.
func withRedisServer<R>(
    clockAt milliseconds: Int64? = nil, arguments: [String] = [], _ body: (RedisServer) async throws -> R
) async throws -> R {
    let server = try await RedisServer.start(clockAt: milliseconds, arguments: arguments)
    defer { server.stop() }
    return try await body(server)
}
