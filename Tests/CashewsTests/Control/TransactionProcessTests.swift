import Cashews
import Foundation
import TestSupport
import Testing

@Suite("Transactions across processes (shared disk cache)")
struct TransactionProcessTests {
    @Test(".locked: two processes writing one key serialise (an overlap-free log)")
    func lockedAcrossProcesses() async throws {
        try await withTemporaryPath(create: false) { directory in
            let log = directory + "-tx.log"
            defer { try? FileManager.default.removeItem(atPath: log) }
            try Cache().setupDisk("disk://\(directory)")
            let workers = try (0..<2).map { _ in try Worker.start(["tx-locked", directory, "30", log]) }
            for worker in workers {
                #expect(worker.readLine() == "done")
                #expect(worker.wait() == 0)
            }
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.count == 120)
            var pids = Set<String>()
            for pair in stride(from: 0, to: lines.count - 1, by: 2) {
                let enter = lines[pair].split(separator: " ")
                let exit = lines[pair + 1].split(separator: " ")
                #expect(enter.first == "enter" && exit.first == "exit" && enter.last == exit.last, "line \(pair)")
                pids.insert(String(enter.last ?? ""))
            }
            #expect(pids.count == 2, "both processes wrote")
            let cache = Cache()
            try cache.setupDisk("disk://\(directory)")
            #expect(try await cache.isLocked(":tx_lock:contended") == false)
        }
    }

    @Test("a disk commit killed mid-way leaves none of its writes: every key holds one generation")
    func killedCommitIsAllOrNothing() async throws {
        for round in 0..<3 {
            try await withTemporaryPath(create: false) { directory in
                let worker = try Worker.start(["tx-commit-loop", directory, "3000"])
                #expect(worker.readLine() == "ready", "round \(round)")
                usleep(UInt32.random(in: 5_000...60_000))
                worker.kill9()
                worker.wait()
                let cache = Cache()
                try cache.setupDisk("disk://\(directory)")
                let values = try await cache.get((0..<3000).map { "gen-\($0)" }, as: Int.self)
                let generations = Set(values)
                #expect(
                    generations.count == 1,
                    "round \(round): generations \(generations.sorted { ($0 ?? 0) < ($1 ?? 0) })")
                #expect(!generations.contains(nil), "round \(round): the first commit stays whole")
            }
        }
    }
}
