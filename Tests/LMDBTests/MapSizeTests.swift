import Foundation
import TestSupport
import Testing

@testable import LMDB

@Suite("Map size, growth and readers")
struct MapSizeTests {
    @Test("a full map is a typed error; after growing, the same write succeeds")
    func mapFullThenGrow() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, options: .init(mapSize: 256 << 10, maximumMapSize: nil))
            let db = try env.database(named: "data", flags: .create)
            let value = [UInt8](repeating: 1, count: 4000)
            let fill: (borrowing Transaction) throws -> Void = { txn in
                for i in 0..<200 { try txn.put(value, forKey: bytes("key-\(i)"), in: db) }
            }
            let error = #expect(throws: LMDBError.self) { try env.write(fill) }
            #expect(error?.code == .mapFull)
            #expect(error?.description.contains("raise the maximum map size") == true)
            // The code matches in a catch clause (`~=`), and only that code.
            do {
                try env.write(fill)
                Issue.record("the write fitted")
            } catch LMDBError.Code.notFound {
                Issue.record("matched another code")
            } catch LMDBError.Code.mapFull {
            }
            // Nothing of the failed transaction is visible.
            #expect(try env.read { txn in try txn.statistics(of: db).entries } == 0)

            try env.setMapSize(8 << 20)
            try env.write(fill)
            #expect(try env.read { txn in try txn.statistics(of: db).entries } == 200)
        }
    }

    @Test("with a maximum map size, a full map grows by itself")
    func automaticGrowth() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, options: .init(mapSize: 64 << 10, maximumMapSize: 64 << 20))
            let db = try env.database(named: "data", flags: .create)
            let value = [UInt8](repeating: 2, count: 3000)
            for batch in 0..<10 {
                try env.write { txn in
                    for i in 0..<100 { try txn.put(value, forKey: bytes("key-\(batch)-\(i)"), in: db) }
                }
            }
            #expect(try env.read { txn in try txn.statistics(of: db).entries } == 1000)
            let mapSize = try env.info().mapSize
            #expect(mapSize > 64 << 10 && mapSize <= 64 << 20)
        }
    }

    @Test("growth stops at the maximum with mapFull")
    func growthLimit() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, options: .init(mapSize: 64 << 10, maximumMapSize: 512 << 10))
            let db = try env.database(named: "data", flags: .create)
            let value = [UInt8](repeating: 3, count: 4000)
            let error = #expect(throws: LMDBError.self) {
                try env.write { txn in
                    for i in 0..<1000 { try txn.put(value, forKey: bytes("key-\(i)"), in: db) }
                }
            }
            #expect(error?.code == .mapFull)
            let mapSize = try env.info().mapSize
            #expect(mapSize == 512 << 10, "map size \(mapSize)")
        }
    }

    @Test("another process growing the map is adopted")
    func adoptsOtherProcessGrowth() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, options: .init(mapSize: 1 << 20, maximumMapSize: nil))
            let db = try env.database(named: "data", flags: .create)
            try env.write { txn in try txn.put(bytes("before"), forKey: bytes("mine"), in: db) }
            // Keep a pooled read transaction around, as a busy process would.
            _ = try env.read { txn in try txn.value(forKey: bytes("mine"), in: db) }

            let worker = try Worker.start(["grow-map", path, String(64 << 20)])
            #expect(worker.wait() == 0)

            // The worker wrote ~4 MB into what was a 1 MiB map: both reads and writes adopt.
            let grown = try env.read { txn in try txn.value(forKey: bytes("grown-7-499"), in: db) }
            #expect(grown?.count == 1000)
            try env.write { txn in try txn.put(bytes("after"), forKey: bytes("mine"), in: db) }
            #expect(try env.info().mapSize >= 64 << 20)
        }
    }

    @Test("a killed reader's slot is reclaimed by readerCheck")
    func staleReaderReclaimed() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path)
            _ = try env.database(named: "data", flags: .create)
            let worker = try Worker.start(["hold-reader", path])
            #expect(worker.readLine() == "ready")
            let readersWithWorker = try env.info().readersInUse
            #expect(readersWithWorker >= 1)
            worker.kill9()
            #expect(try env.readerCheck() == 1)
            #expect(try env.readerCheck() == 0)
        }
    }
}
