// The Swift side of `make bench-redis` (Benchmarks/Redis/bench_redis.py starts the server and
// runs redis-benchmark beside it): GETs of a 100-byte value through RedisBackend, by one task,
// 16 tasks on 16 connections, 64 tasks pipelined on the default 4, and client-side-cached hits.
// Prints one JSON object per scenario: operations per second, p50 and p99 latency in µs.
import Cashews
import CashewsRedis
import Foundation

@main
struct RedisBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        func value(_ name: String, _ fallback: Int) -> Int {
            arguments.firstIndex(of: name).flatMap { Int(arguments[$0 + 1]) } ?? fallback
        }
        let port = value("--port", 6379)
        let milliseconds = value("--milliseconds", 3000)
        let payload = CacheValue.bytes([UInt8](repeating: 120, count: 100))

        func backend(pool: Int, clientSide: Bool = false) -> RedisBackend {
            var configuration = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port))
            configuration.poolSize = pool
            configuration.clientSideCaching = clientSide
            return RedisBackend(configuration: configuration)
        }

        func run(_ name: String, tasks: Int, pool: Int, clientSide: Bool = false) async throws {
            let backend = backend(pool: pool, clientSide: clientSide)
            _ = try await backend.set("bench:key", payload, expiry: .never, condition: .always)
            // Warm-up: open every connection, fill the local tier.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<max(tasks, pool) { group.addTask { _ = try await backend.get("bench:key") } }
                try await group.waitForAll()
            }
            let deadline = ContinuousClock.now + .milliseconds(milliseconds)
            let start = ContinuousClock.now
            let latencies = try await withThrowingTaskGroup(of: [Int64].self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        var samples: [Int64] = []
                        samples.reserveCapacity(1 << 20)
                        while ContinuousClock.now < deadline {
                            let before = ContinuousClock.now
                            guard try await backend.get("bench:key") != nil else { fatalError("a miss") }
                            let elapsed = ContinuousClock.now - before
                            samples.append(
                                elapsed.components.attoseconds / 1_000_000_000 + elapsed.components.seconds
                                    * 1_000_000_000)
                        }
                        return samples
                    }
                }
                var all: [Int64] = []
                for try await samples in group { all += samples }
                return all
            }
            let seconds =
                Double((ContinuousClock.now - start).components.attoseconds) / 1e18
                + Double((ContinuousClock.now - start).components.seconds)
            let sorted = latencies.sorted()
            func percentile(_ fraction: Double) -> Double {
                Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]) / 1000
            }
            let line: [String: Any] = [
                "scenario": name, "tasks": tasks, "connections": pool, "ops": sorted.count,
                "ops_per_second": Double(sorted.count) / seconds, "p50_us": percentile(0.5), "p99_us": percentile(0.99),
            ]
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            await backend.shutdown()
        }

        try await run("one task", tasks: 1, pool: 1)
        try await run("16 tasks", tasks: 16, pool: 16)
        try await run("64 tasks pipelined", tasks: 64, pool: 4)
        try await run("client-side cached", tasks: 1, pool: 1, clientSide: true)
    }
}
