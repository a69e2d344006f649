import Foundation
import TestSupport
import Testing

@testable import DiskCache

/// Multi-process stress and crash tests. Short by default; `make stress` runs them long
/// (CASHEWS_STRESS_OPS, CASHEWS_CRASH_ROUNDS).
@Suite("Reliability: stress and crashes", .serialized)
struct ReliabilityTests {
    private static let environment = ProcessInfo.processInfo.environment
    static let stressOperations = Int(environment["CASHEWS_STRESS_OPS"] ?? "") ?? 1500
    static let crashRounds = Int(environment["CASHEWS_CRASH_ROUNDS"] ?? "") ?? 6

    @Test("4 processes of random operations: consistent, bounded, exact counters, exclusive lock")
    func stress() throws {
        try withCacheDirectory { path in
            defer { try? FileManager.default.removeItem(atPath: path + "-shared") }
            let workers = try (0..<4).map { seed in
                try Worker.start(["stress", path, "\(seed + 1)", "\(ReliabilityTests.stressOperations)"])
            }
            var increments = 0
            for worker in workers {
                let line = worker.readLine(seconds: 600).split(separator: " ")
                #expect(line.count == 4 && line[0] == "increments" && line[3] == "0", "worker said \(line)")
                increments += line.count == 4 ? Int(line[1]) ?? 0 : 0
                #expect(worker.wait() == 0)
            }
            let data = try DiskCache(
                directory: path,
                configuration: .init(
                    sizeLimit: 2 << 20, durability: .none, initialMapSize: 256 << 10,
                    blobThreshold: 16 << 10))
            let report = try data.check(orphanGrace: .zero)
            #expect(report.isClean, "\(report)")
            #expect(try data.volume <= 2 << 20)
            let shared = try DiskCache(
                directory: path + "-shared", configuration: .init(sizeLimit: nil, durability: .none))
            #expect(text(try shared.get("counter")) == String(increments))
            #expect(try shared.get("lock") == nil && (try shared.get("inside")) == nil)
            #expect(try shared.check().isClean)
        }
    }

    @Test("writers killed at random points (mid-blob, during map growth) lose no acknowledged write")
    func crashes() throws {
        try withCacheDirectory { path in
            var kills = 0
            var acknowledged = 0
            for round in 0..<ReliabilityTests.crashRounds {
                let logs = (0..<2).map { path + "-log-\(round)-\($0)" }
                defer { for log in logs { try? FileManager.default.removeItem(atPath: log) } }
                let workers = try (0..<2).map { index in
                    try Worker.start(["crash-writer", path, "\(round * 2 + index)", logs[index]])
                }
                for worker in workers { #expect(worker.readLine() == "writing") }
                usleep(UInt32.random(in: 20_000...250_000))
                for worker in workers {
                    worker.kill9()
                    kills += 1
                }
                let cache = try DiskCache(directory: path, configuration: .init(sizeLimit: nil, durability: .full))
                for (index, log) in logs.enumerated() {
                    let id = round * 2 + index
                    let lines = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n") ?? []
                    for line in lines {
                        guard let n = Int(line) else { continue }
                        acknowledged += 1
                        let expected = Self.crashValue(id: id, n: n)
                        let stored = try cache.get("w\(id)-\(n)")
                        #expect(stored == expected, "round \(round): w\(id)-\(n) lost or changed")
                    }
                }
                let report = try cache.check()
                #expect(report.isClean, "round \(round): \(report)")
                try cache.check(repair: true, orphanGrace: .zero)  // half-written blobs of the killed writers
                #expect(try cache.check(orphanGrace: .zero).isClean)
            }
            #expect(kills == 2 * ReliabilityTests.crashRounds)
            #expect(acknowledged > 0)
            print("crash test: \(kills) kills, \(acknowledged) acknowledged writes checked")
        }
    }

    /// The same values as the worker's `Reliability.crashValue`.
    static func crashValue(id: Int, n: Int) -> [UInt8] {
        var generator = SplitMix64(seed: UInt64(id) << 32 | UInt64(n))
        let size = Int(generator.next() % 4 == 0 ? 5000 + generator.next() % 40_000 : generator.next() % 2000)
        let byte = UInt8(truncatingIfNeeded: generator.next())
        return [UInt8](repeating: byte, count: size)
    }
}
