import Foundation
import TestSupport
import Testing

@testable import LMDB

@Suite("Environment")
struct EnvironmentTests {
    @Test("what one opening stores, a reopening finds")
    func persistenceAcrossReopen() throws {
        try withTemporaryDirectory { path in
            do {
                let env = try Environment(path: path)
                let db = try env.database(named: "data", flags: .create)
                try env.write { txn in try txn.put(bytes("persisted"), forKey: bytes("k"), in: db) }
            }
            #expect(!EnvironmentRegistry.isOpen(path))
            let env = try Environment(path: path)
            let db = try env.database(named: "data")
            let value = try env.read { txn in try txn.value(forKey: bytes("k"), in: db) }
            #expect(text(value) == "persisted")
        }
    }

    @Test("two opens of one path share one handle, which closes with the last")
    func registrySharesHandles() throws {
        try withTemporaryDirectory { path in
            var first: Environment? = try Environment(path: path)
            let second = try Environment(path: path + "/../" + URL(fileURLWithPath: path).lastPathComponent)
            #expect(first!.sharesHandle(with: second))
            #expect(EnvironmentRegistry.isOpen(path))
            first = nil
            // The handle stays open for `second`.
            let db = try second.database(named: "data", flags: .create)
            try second.write { txn in try txn.put(bytes("v"), forKey: bytes("k"), in: db) }
            #expect(EnvironmentRegistry.isOpen(path))
            _ = consume second
            #expect(!EnvironmentRegistry.isOpen(path))
        }
    }

    @Test("a missing directory is a typed error")
    func missingDirectory() throws {
        let error = #expect(throws: LMDBError.self) {
            _ = try Environment(path: "/nonexistent/lmdb-tests/\(UUID().uuidString)")
        }
        #expect(error?.code == .noSuchFile)
        #expect(error?.description.contains("Create the directory") == true)
    }

    @Test("a file that is not an LMDB environment is a typed error")
    func notAnEnvironment() throws {
        try withTemporaryDirectory { path in
            try Data(repeating: 0x5A, count: 16384).write(to: URL(fileURLWithPath: path + "/data.mdb"))
            let error = #expect(throws: LMDBError.self) { _ = try Environment(path: path) }
            #expect(error?.code == .invalid)
            #expect(error?.code.isCorruption == true)
        }
    }

    @Test("a directory the process may not write is a typed error")
    func permissionDenied() throws {
        try withTemporaryDirectory { path in
            chmod(path, 0o500)
            defer { chmod(path, 0o700) }
            if getuid() == 0 {
                // root ignores modes: let an unprivileged child try instead.
                chmod(path, 0o555)
                let worker = try Worker.start(["open-unprivileged", path])
                let line = worker.readLine()
                worker.wait()
                #expect(line == "error \(EACCES)")
            } else {
                let error = #expect(throws: LMDBError.self) { _ = try Environment(path: path) }
                #expect(error?.code == .permissionDenied)
            }
        }
    }

    @Test("an unknown database without .create is notFound; databases are cached")
    func databaseHandles() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path)
            let error = #expect(throws: LMDBError.self) { _ = try env.database(named: "absent") }
            #expect(error?.code == .notFound)
            let a = try env.database(named: "a", flags: [.create, .duplicateSort])
            let again = try env.database(named: "a")
            #expect(a == again)
            #expect(a.flags.contains(.duplicateSort))
        }
    }

    @Test("statistics, info, sync and a compacting copy")
    func maintenance() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path, options: .init(flags: .noSync))
            let db = try env.database(named: "data", flags: .create)
            try env.write { txn in
                for i in 0..<1000 { try txn.put(bytes("value-\(i)"), forKey: bytes("key-\(i)"), in: db) }
            }
            try env.write { txn in
                for i in 0..<900 { try txn.delete(forKey: bytes("key-\(i)"), in: db) }
            }
            try env.sync()
            let stats = try env.read { txn in try txn.statistics(of: db) }
            #expect(stats.entries == 100)
            #expect(stats.pageSize >= 4096)
            let info = try env.info()
            #expect(info.mapSize == 1 << 30)
            #expect(info.lastTransactionID >= 3)
            #expect(env.maxKeySize == 511)

            let copy = path + "/copy"
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
            try env.copy(to: copy, compact: true)
            let copied = try Environment(path: copy)
            let copiedDB = try copied.database(named: "data")
            let value = try copied.read { txn in try txn.value(forKey: bytes("key-950"), in: copiedDB) }
            #expect(text(value) == "value-950")
            #expect(try copied.info().lastPageNumber <= info.lastPageNumber)
        }
    }
}
