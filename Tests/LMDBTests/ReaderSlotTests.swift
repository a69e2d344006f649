import Foundation
import Testing

@testable import LMDB

@Suite("LMDB reader slots")
struct ReaderSlotTests {
    @Test("every reader slot taken: a typed error that says what to do, then reads work again")
    func readersFull() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(
                path: path, options: .init(mapSize: 1 << 20, maxReaders: 2, readTransactionPoolSize: 0))
            let db = try env.database(named: "data", flags: .create)
            try env.write { txn in try txn.put(Array("v".utf8), forKey: Array("k".utf8), in: db) }
            let holding = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let done = DispatchGroup()
            for _ in 0..<2 {
                DispatchQueue.global().async(group: done) {
                    try? env.read { txn in
                        _ = try txn.value(forKey: Array("k".utf8), in: db)
                        holding.signal()
                        release.wait()
                    }
                }
            }
            holding.wait()
            holding.wait()
            #expect {
                try env.read { txn in _ = try txn.value(forKey: Array("k".utf8), in: db) }
            } throws: { error in
                guard let error = error as? LMDBError else { return false }
                return error.code == .readersFull && "\(error)".contains("maxReaders")
            }
            release.signal()
            release.signal()
            done.wait()
            let value = try env.read { txn in try txn.value(forKey: Array("k".utf8), in: db) }
            #expect(value == Array("v".utf8))
        }
    }
}

@Suite("LMDB registry identity")
struct RegistryIdentityTests {
    @Test("two paths to one directory (a symlink) share one handle")
    func sameDirectoryTwoPaths() throws {
        try withTemporaryDirectory { path in
            let link = path + "-link"
            #expect(symlink(path, link) == 0)
            defer { unlink(link) }
            let first = try Environment(path: path)
            let second = try Environment(path: link)
            // The handles themselves, not the process-wide count of open ones (tests running in
            // parallel open environments of their own meanwhile).
            #expect(first.core === second.core, "one handle for the same directory")
        }
    }
}
