import Foundation
import TestSupport
import Testing

@testable import LMDB

@Suite("Concurrency with MDB_NOTLS")
struct ConcurrencyTests {
    @Test("many tasks reading while hopping threads never hit MDB_BAD_RSLOT")
    func concurrentReadsAcrossAwaits() async throws {
        try await withTemporaryDirectory { path in
            let env = try Environment(path: path)
            let db = try env.database(named: "data", flags: .create)
            try env.write { txn in
                for i in 0..<100 { try txn.put(bytes("value-\(i)"), forKey: bytes("key-\(i)"), in: db) }
            }
            let mismatches = try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<64 {
                    group.addTask {
                        var mismatches = 0
                        for round in 0..<50 {
                            let i = (task * 7 + round) % 100
                            let value = try env.read { txn in try txn.value(forKey: bytes("key-\(i)"), in: db) }
                            if text(value) != "value-\(i)" { mismatches += 1 }
                            await Task.yield()
                        }
                        return mismatches
                    }
                }
                return try await group.reduce(0, +)
            }
            #expect(mismatches == 0)
        }
    }

    @Test("concurrent writers from many tasks all land")
    func concurrentWriters() async throws {
        try await withTemporaryDirectory { path in
            let env = try Environment(path: path, options: .init(flags: .noSync))
            let db = try env.database(named: "data", flags: .create)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<16 {
                    group.addTask {
                        for i in 0..<50 {
                            try env.write { txn in
                                try txn.put(bytes("\(task)"), forKey: bytes("k-\(task)-\(i)"), in: db)
                            }
                            await Task.yield()
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try env.read { txn in try txn.statistics(of: db).entries } == 16 * 50)
        }
    }
}
