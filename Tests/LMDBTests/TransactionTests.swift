import Foundation
import TestSupport
import Testing

@testable import LMDB

@Suite("Transactions")
struct TransactionTests {
    @Test("put, get, replace and delete")
    func basicOperations() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path)
            let db = try env.database(named: "data", flags: .create)
            try env.write { txn in
                try txn.put(bytes("one"), forKey: bytes("a"), in: db)
                try txn.put(bytes("two"), forKey: bytes("b"), in: db)
                try txn.put(bytes("uno"), forKey: bytes("a"), in: db)
            }
            let (a, b, c, hasB) = try env.read { txn in
                (
                    try txn.value(forKey: bytes("a"), in: db), try txn.value(forKey: bytes("b"), in: db),
                    try txn.value(forKey: bytes("c"), in: db), try txn.containsValue(forKey: bytes("b"), in: db)
                )
            }
            #expect(text(a) == "uno")
            #expect(text(b) == "two")
            #expect(c == nil)
            #expect(hasB)
            let deleted = try env.write { txn in
                (try txn.delete(forKey: bytes("a"), in: db), try txn.delete(forKey: bytes("zzz"), in: db))
            }
            #expect(deleted == (true, false))
            #expect(try env.read { txn in try txn.value(forKey: bytes("a"), in: db) } == nil)
        }
    }

    @Test("binary keys and empty values round-trip")
    func binaryAndEmpty() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path)
            let db = try env.database(named: "data", flags: .create)
            let key: [UInt8] = [0, 255, 0, 1]
            try env.write { txn in
                try txn.put([UInt8](), forKey: key, in: db)
                try txn.put(Data([1, 2, 3]), forKey: Data([0]), in: db)
            }
            let (empty, binary) = try env.read { txn in
                (try txn.value(forKey: key, in: db), try txn.value(forKey: [UInt8(0)], in: db))
            }
            #expect(empty == [])
            #expect(binary == [1, 2, 3])
        }
    }

    @Test("zero-copy reads and reserved writes")
    func zeroCopy() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path)
            let db = try env.database(named: "data", flags: .create)
            try env.write { txn in
                try bytes("k").withUnsafeBytes { key in
                    try txn.put(reservingCount: 8, forKey: key, in: db) { buffer in
                        buffer.storeBytes(of: UInt64(0xDEAD_BEEF).bigEndian, as: UInt64.self)
                    }
                }
            }
            let value = try env.read { txn in
                try txn.withValue(forKey: bytes("k"), in: db) { UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self)) }
            }
            #expect(value == 0xDEAD_BEEF)
        }
    }

    @Test("noOverwrite reports keyExists and keeps the old value")
    func noOverwrite() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path)
            let db = try env.database(named: "data", flags: .create)
            try env.write { txn in try txn.put(bytes("first"), forKey: bytes("k"), in: db) }
            let error = #expect(throws: LMDBError.self) {
                try env.write { txn in try txn.put(bytes("second"), forKey: bytes("k"), in: db, flags: .noOverwrite) }
            }
            #expect(error?.code == .keyExists)
            #expect(text(try env.read { txn in try txn.value(forKey: bytes("k"), in: db) }) == "first")
        }
    }

    @Test("a throwing body aborts the whole transaction")
    func abortOnThrow() throws {
        struct Rollback: Error {}
        try withTemporaryDirectory { path in
            let env = try Environment(path: path)
            let db = try env.database(named: "data", flags: .create)
            #expect(throws: Rollback.self) {
                try env.write { txn in
                    try txn.put(bytes("v"), forKey: bytes("k"), in: db)
                    throw Rollback()
                }
            }
            #expect(try env.read { txn in try txn.value(forKey: bytes("k"), in: db) } == nil)
        }
    }

    @Test("keys over the maximum size and empty keys are badValueSize")
    func keySizeLimits() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path)
            let db = try env.database(named: "data", flags: .create)
            let long = [UInt8](repeating: 1, count: env.maxKeySize + 1)
            let error = #expect(throws: LMDBError.self) {
                try env.write { txn in try txn.put(bytes("v"), forKey: long, in: db) }
            }
            #expect(error?.code == .badValueSize)
            let empty = #expect(throws: LMDBError.self) {
                try env.write { txn in try txn.put(bytes("v"), forKey: [UInt8](), in: db) }
            }
            #expect(empty?.code == .badValueSize)
            let atLimit = [UInt8](repeating: 2, count: env.maxKeySize)
            try env.write { txn in try txn.put(bytes("v"), forKey: atLimit, in: db) }
        }
    }

    @Test("duplicate-sorted databases keep several values per key")
    func duplicates() throws {
        try withTemporaryDirectory { path in
            let env = try Environment(path: path)
            let db = try env.database(named: "index", flags: [.create, .duplicateSort])
            try env.write { txn in
                for v in ["c", "a", "b"] { try txn.put(bytes(v), forKey: bytes("k"), in: db) }
                try txn.delete(bytes("b"), forKey: bytes("k"), in: db)
            }
            let values = try env.read { txn in
                try txn.withCursor(in: db) { cursor in
                    var seen = [String]()
                    try cursor.scan { entry in
                        seen.append(String(decoding: entry.value, as: UTF8.self))
                        return .continue
                    }
                    return seen
                }
            }
            #expect(values == ["a", "c"])
            try env.write { txn in try txn.removeAll(in: db) }
            #expect(try env.read { txn in try txn.statistics(of: db).entries } == 0)
        }
    }
}
