import Cashews
import Foundation
import TestSupport
import Testing

@Suite("Strategies across processes (shared disk cache)")
struct ProcessStrategyTests {
    @Test("locked: two processes, never both inside (an overlap-free log)")
    func lockedAcrossProcesses() throws {
        try withTemporaryPath(create: false) { directory in
            let log = directory + "-lock.log"
            defer { try? FileManager.default.removeItem(atPath: log) }
            let workers = try (0..<2).map { _ in try Worker.start(["strategy-locked", directory, "40", log]) }
            for worker in workers {
                #expect(worker.readLine() == "done")
                #expect(worker.wait() == 0)
            }
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(lines.count == 160)
            var pids = Set<String>()
            for pair in stride(from: 0, to: lines.count - 1, by: 2) {
                let enter = lines[pair].split(separator: " ")
                let exit = lines[pair + 1].split(separator: " ")
                #expect(enter.first == "enter" && exit.first == "exit" && enter.last == exit.last, "line \(pair)")
                pids.insert(String(enter.last ?? ""))
            }
            #expect(pids.count == 2, "both processes took the lock")
        }
    }

    @Test("cached(lock: true): two processes missing at once, one computation, one value")
    func cachedWithLockAcrossProcesses() async throws {
        try await withTemporaryPath(create: false) { directory in
            // Create the cache first, so that both workers start from an existing one.
            try Cache().setupDisk("disk://\(directory)")
            let start = Int64(Date().timeIntervalSince1970 * 1000) + 500
            let workers = try (0..<2).map { _ in try Worker.start(["strategy-cached", directory, "\(start)"]) }
            let values = workers.map { $0.readLine() }
            for worker in workers { #expect(worker.wait() == 0) }
            #expect(values[0].hasPrefix("computed by "))
            #expect(values[0] == values[1], "the second process read the first one's value")
            let cache = Cache()
            try cache.setupDisk("disk://\(directory)")
            #expect(try await cache.get("computations", as: Int.self) == 1)
        }
    }
}
