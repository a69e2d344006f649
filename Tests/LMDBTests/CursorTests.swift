import Foundation
import TestSupport
import Testing

@testable import LMDB

@Suite("Cursors")
struct CursorTests {
    /// Keys k00…k09 with values v00…v09.
    private func filled(_ path: String) throws -> (Environment, Database) {
        let env = try Environment(path: path)
        let db = try env.database(named: "data", flags: .create)
        try env.write { txn in
            for i in 0..<10 {
                let suffix = String(format: "%02d", i)
                try txn.put(bytes("v" + suffix), forKey: bytes("k" + suffix), in: db)
            }
        }
        return (env, db)
    }

    private func keys(
        _ env: Environment, _ db: Database, from start: String?, _ direction: Cursor.Direction, limit: Int = 100
    ) throws -> [String] {
        try env.read { txn in
            try txn.withCursor(in: db) { cursor in
                var seen = [String]()
                let visit: (Cursor.Entry) -> Cursor.ScanStep = { entry in
                    seen.append(String(decoding: entry.key, as: UTF8.self))
                    return seen.count < limit ? .continue : .stop
                }
                if let start {
                    try bytes(start).withUnsafeBytes { try cursor.scan(from: $0, direction: direction, visit) }
                } else {
                    try cursor.scan(direction: direction, visit)
                }
                return seen
            }
        }
    }

    @Test("forward and backward from the ends")
    func wholeRange() throws {
        try withTemporaryDirectory { path in
            let (env, db) = try filled(path)
            let all = (0..<10).map { "k" + String(format: "%02d", $0) }
            #expect(try keys(env, db, from: nil, .forward) == all)
            #expect(try keys(env, db, from: nil, .backward) == all.reversed())
        }
    }

    @Test("forward and backward from a key, present or not")
    func fromKey() throws {
        try withTemporaryDirectory { path in
            let (env, db) = try filled(path)
            #expect(try keys(env, db, from: "k07", .forward) == ["k07", "k08", "k09"])
            #expect(try keys(env, db, from: "k065", .forward) == ["k07", "k08", "k09"])
            #expect(try keys(env, db, from: "k02", .backward) == ["k02", "k01", "k00"])
            #expect(try keys(env, db, from: "k025", .backward) == ["k02", "k01", "k00"])
            #expect(try keys(env, db, from: "zzz", .backward, limit: 2) == ["k09", "k08"])
            #expect(try keys(env, db, from: "zzz", .forward) == [])
            #expect(try keys(env, db, from: "a", .backward) == [])
            #expect(try keys(env, db, from: "k03", .forward, limit: 2) == ["k03", "k04"])
        }
    }

    @Test("deleting at the cursor while scanning, both directions")
    func deleteWhileScanning() throws {
        try withTemporaryDirectory { path in
            let (env, db) = try filled(path)
            // Delete the even keys walking forward, then k09 and k07 walking backward.
            try env.write { txn in
                try txn.withCursor(in: db) { cursor in
                    try cursor.scan { entry in
                        if entry.key.last.map({ ($0 - 48) % 2 == 0 }) == true { try cursor.deleteCurrent() }
                        return .continue
                    }
                    try cursor.scan(direction: .backward) { entry in
                        let key = String(decoding: entry.key, as: UTF8.self)
                        if key == "k09" || key == "k07" { try cursor.deleteCurrent() }
                        return .continue
                    }
                }
            }
            #expect(try keys(env, db, from: nil, .forward) == ["k01", "k03", "k05"])
        }
    }

    @Test("seek exactly, at least, at most")
    func seeks() throws {
        try withTemporaryDirectory { path in
            let (env, db) = try filled(path)
            try env.read { txn in
                try txn.withCursor(in: db) { cursor in
                    let exact = try bytes("k04").withUnsafeBytes { try cursor.seek(exactly: $0) }
                    #expect(exact.map { String(decoding: $0.value, as: UTF8.self) } == "v04")
                    let missing = try bytes("k045").withUnsafeBytes { try cursor.seek(exactly: $0) }
                    #expect(missing == nil)
                    let atMost = try bytes("k045").withUnsafeBytes { try cursor.seek(atMost: $0) }
                    #expect(atMost.map { String(decoding: $0.key, as: UTF8.self) } == "k04")
                    let current = try cursor.current()
                    #expect(current.map { String(decoding: $0.key, as: UTF8.self) } == "k04")
                }
            }
        }
    }
}
