import Foundation
import TestSupport
import Testing

@testable import DiskCache

@Suite("DiskCache shared by processes", .serialized)
struct MultiProcessTests {
    /// A start line a little in the future, so that workers begin together.
    private func startLine() -> String { String(Int64(Date().timeIntervalSince1970 * 1000) + 400) }

    @Test("increments from 4 processes add up exactly")
    func concurrentIncrements() throws {
        try withCacheDirectory { path in
            _ = try DiskCache(directory: path)  // create it first
            let start = startLine()
            let workers = try (0..<4).map { _ in try Worker.start(["cache-incr", path, "500", start]) }
            for worker in workers {
                #expect(worker.readLine() == "done")
                #expect(worker.wait() == 0)
            }
            let cache = try DiskCache(directory: path)
            #expect(text(try cache.get("counter")) == "2000")
            #expect(try cache.check().isClean)
        }
    }

    @Test("4 processes creating one new cache at once: none takes the new file for a crashed one")
    func concurrentCreation() throws {
        for _ in 0..<4 {  // the race is narrow: a few rounds
            try withCacheDirectory { parent in
                let path = parent + "/new"  // absent until the workers open it
                let start = startLine()
                let workers = try (0..<4).map { id in try Worker.start(["cache-open-new", path, "\(id)", start]) }
                for worker in workers {
                    // No open may count an unclean shutdown: walking (and repairing) a file another
                    // process is creating removes that process's blobs; moving it aside, its data.
                    #expect(worker.readLine() == "done 0")
                    #expect(worker.wait() == 0)
                }
                let names = try FileManager.default.contentsOfDirectory(atPath: path)
                #expect(!names.contains { $0.hasPrefix("damaged-") })
                let cache = try DiskCache(directory: path)
                for id in 0..<4 { #expect(try cache.get("worker-\(id)") != nil) }
                #expect(try cache.check().isClean)
            }
        }
    }

    @Test("of concurrent adds from 4 processes, exactly one wins each key")
    func concurrentAdds() throws {
        try withCacheDirectory { path in
            _ = try DiskCache(directory: path)
            let start = startLine()
            let workers = try (0..<4).map { id in try Worker.start(["cache-add", path, "worker-\(id)", "100", start]) }
            var wins = 0
            for worker in workers {
                let line = worker.readLine()
                #expect(line.hasPrefix("wins "))
                wins += Int(line.dropFirst(5)) ?? -1000
                #expect(worker.wait() == 0)
            }
            #expect(wins == 100)
            let cache = try DiskCache(directory: path)
            #expect(try cache.count == 100)
            let owners = Set(try cache.get((0..<100).map { "race-\($0)" }).map { text($0) ?? "none" })
            #expect(owners.isSubset(of: ["worker-0", "worker-1", "worker-2", "worker-3"]))
        }
    }

    @Test(
        "under eviction pressure, of two processes' adds of a key exactly one wins",
        arguments: [EvictionPolicy.leastRecentlyStored, .leastRecentlyUsed, .leastFrequentlyUsed, .s3FIFO])
    func addsUnderEvictionPressure(policy: EvictionPolicy) throws {
        try withCacheDirectory { path in
            let cache = try DiskCache(
                directory: path,
                configuration: .init(sizeLimit: nil, countLimit: 8, evictionPolicy: policy, durability: .none))
            for resident in 0..<8 { try cache.set(bytes("r"), forKey: "resident-\(resident)") }
            defer { for id in 0..<2 { unlink("\(path)-step-\(id)") } }
            let rounds = 200
            let workers = try (0..<2).map { id in
                try Worker.start(["cache-add-pressure", path, "\(id)", policy.rawValue, "\(rounds)"])
            }
            var wins = 0
            for worker in workers {
                let line = worker.readLine()
                #expect(line.hasPrefix("wins "))
                wins += Int(line.dropFirst(5)) ?? -1000
                #expect(worker.wait() == 0)
            }
            #expect(wins == rounds, "\(policy): \(wins) wins in \(rounds) rounds (a lock granted twice)")
            #expect(try cache.check().isClean)
        }
    }

    @Test("processes killed with SIGKILL mid-write leave a consistent store")
    func killedWriters() throws {
        try withCacheDirectory { path in
            _ = try DiskCache(directory: path)
            for round in 0..<3 {
                let workers = try (0..<2).map { id in try Worker.start(["cache-churn", path, "\(round * 10 + id)"]) }
                for worker in workers { #expect(worker.readLine() == "ready") }
                usleep(UInt32(50_000 + round * 30_000))
                for worker in workers { worker.kill9() }
                let cache = try DiskCache(directory: path)
                let report = try cache.check()
                #expect(report.isClean, "round \(round): \(report)")
                // The cache is still writable (the dead writer's lock was recovered).
                try cache.set(bytes("alive"), forKey: "after-round-\(round)")
                #expect(text(try cache.get("after-round-\(round)")) == "alive")
            }
        }
    }

    @Test("the map grows from a tiny start while two processes write")
    func mapGrowthAcrossProcesses() throws {
        try withCacheDirectory { path in
            let workers = try ["left", "right"].map { prefix in
                try Worker.start(["cache-fill", path, prefix, "2000", "2000", String(256 << 10)])
            }
            for worker in workers {
                #expect(worker.readLine() == "done")
                #expect(worker.wait() == 0)
            }
            let cache = try DiskCache(directory: path, configuration: .init(sizeLimit: nil, initialMapSize: 256 << 10))
            #expect(try cache.count == 4000)
            #expect(try cache.get("left-1999")?.count == 2000)
            #expect(try cache.get("right-0")?.count == 2000)
            #expect(try cache.check().isClean)
        }
    }

    @Test("SIGKILL during a blob write leaves no partial value; repair removes the orphan file")
    func killedDuringBlobWrite() throws {
        try withCacheDirectory { path in
            _ = try DiskCache(directory: path)
            let worker = try Worker.start(["cache-stream-hang", path, "half-written"])
            #expect(worker.readLine() == "streaming")
            worker.kill9()
            let cache = try DiskCache(directory: path)
            #expect(try cache.get("half-written") == nil)
            #expect(try cache.check().isClean)  // the fresh orphan is within its grace period
            let report = try cache.check(orphanGrace: .zero)
            #expect(report.orphanBlobFiles == 1)
            try cache.check(repair: true, orphanGrace: .zero)
            #expect(try cache.check(orphanGrace: .zero).isClean)
        }
    }
}
