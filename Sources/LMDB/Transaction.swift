import CLMDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A read or write transaction, lent to the body of ``Environment/read(_:)`` or
/// ``Environment/write(_:)`` for the duration of that call.
///
/// A transaction cannot be copied or kept: it is a non-copyable value borrowed by a synchronous
/// closure, so it can never outlive its scope or span an `await` (a write transaction held across
/// a suspension point would unlock LMDB's writer mutex from the wrong thread).
///
/// Buffers returned by zero-copy accessors point into the memory map: they are valid until the
/// transaction ends or, in a write transaction, until the next change.
public struct Transaction: ~Copyable {
    @usableFromInline let pointer: OpaquePointer
    /// True for a read-only transaction.
    public let isReadOnly: Bool

    @usableFromInline
    init(pointer: OpaquePointer, isReadOnly: Bool) {
        self.pointer = pointer
        self.isReadOnly = isReadOnly
    }

    /// The transaction's id: the id of the snapshot it reads (or of the commit it will make).
    public var id: Int { mdb_txn_id(pointer) }

    // MARK: Reading

    /// The bytes stored under `key`, in place in the memory map, or nil when the key is absent.
    ///
    /// The buffer is valid until the transaction ends or, in a write transaction, until the next
    /// change: do not keep it. Prefer ``withValue(forKey:in:_:)-(UnsafeRawBufferPointer,_,_)``,
    /// which scopes it; this form exists for hot paths that must not pay for a closure.
    @inlinable
    public func unsafeValue(forKey key: UnsafeRawBufferPointer, in database: Database) throws -> UnsafeRawBufferPointer?
    {
        var found = UnsafeRawBufferPointer(start: nil, count: 0)
        return try lookUp(key, database, &found) ? found : nil
    }

    /// The handle of `database`, which must belong to this transaction's environment.
    @inline(__always)
    func handle(of database: Database) -> MDB_dbi {
        precondition(
            database.environment == UInt(bitPattern: mdb_txn_env(pointer)),
            "LMDB: the database \(database.name.map { "\"\($0)\"" } ?? "<main>") was opened by another environment;"
                + " open it from the environment of this transaction (Environment.database(named:))")
        return database.handle
    }

    /// Looks `key` up; true and `value` set when found.
    @usableFromInline
    func lookUp(_ key: UnsafeRawBufferPointer, _ database: Database, _ value: inout UnsafeRawBufferPointer) throws
        -> Bool
    {
        var k = MDB_val(key)
        var v = MDB_val()
        let rc = mdb_get(pointer, handle(of: database), &k, &v)
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_get")
        value = UnsafeRawBufferPointer(v)
        return true
    }

    /// Calls `body` with the bytes stored under `key`, without copying them, and returns its
    /// result; returns nil when the key is absent.
    @inlinable
    public func withValue<R>(
        forKey key: UnsafeRawBufferPointer, in database: Database,
        _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        guard let value = try unsafeValue(forKey: key, in: database) else { return nil }
        return try body(value)
    }

    /// Calls `body` with the bytes stored under `key`, without copying them; nil when absent.
    @inlinable
    public func withValue<K: ContiguousBytes, R>(
        forKey key: K, in database: Database, _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws -> R? {
        try key.withUnsafeBytes { try withValue(forKey: $0, in: database, body) }
    }

    /// A copy of the bytes stored under `key`, or nil when the key is absent.
    public func value<K: ContiguousBytes>(forKey key: K, in database: Database) throws -> [UInt8]? {
        try withValue(forKey: key, in: database) { Array($0) }
    }

    /// True when `key` is present.
    public func containsValue<K: ContiguousBytes>(forKey key: K, in database: Database) throws -> Bool {
        try withValue(forKey: key, in: database) { _ in true } ?? false
    }

    // MARK: Writing

    /// Stores `value` under `key`, replacing any value (or adding a duplicate in a
    /// `duplicateSort` database). With ``PutFlags/noOverwrite``, throws
    /// ``LMDBError/Code/keyExists`` when the key is present.
    public func put(
        _ value: UnsafeRawBufferPointer, forKey key: UnsafeRawBufferPointer, in database: Database,
        flags: PutFlags = []
    ) throws {
        precondition(!isReadOnly, "put in a read-only transaction: use Environment.write")
        var k = MDB_val(key)
        var v = MDB_val(value)
        try check(mdb_put(pointer, handle(of: database), &k, &v, flags.rawValue), "mdb_put")
    }

    /// Stores `value` under `key`; see ``put(_:forKey:in:flags:)-(UnsafeRawBufferPointer,_,_,_)``.
    public func put<K: ContiguousBytes, V: ContiguousBytes>(
        _ value: V, forKey key: K, in database: Database, flags: PutFlags = []
    ) throws {
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in try put(v, forKey: k, in: database, flags: flags) }
        }
    }

    /// Reserves `count` bytes under `key` and lets `fill` write them in place (no intermediate
    /// buffer). `fill` must write every byte. Not for `duplicateSort` databases.
    public func put(
        reservingCount count: Int, forKey key: UnsafeRawBufferPointer, in database: Database,
        flags: PutFlags = [], _ fill: (UnsafeMutableRawBufferPointer) throws -> Void
    ) throws {
        precondition(!isReadOnly, "put in a read-only transaction: use Environment.write")
        precondition(count >= 0, "a reserved size cannot be negative")
        var k = MDB_val(key)
        var v = MDB_val(mv_size: count, mv_data: nil)
        try check(mdb_put(pointer, handle(of: database), &k, &v, flags.rawValue | UInt32(MDB_RESERVE)), "mdb_put")
        try fill(UnsafeMutableRawBufferPointer(start: v.mv_data, count: count))
    }

    /// Deletes `key` (with all its duplicates). Returns false when it was absent.
    @discardableResult
    public func delete(forKey key: UnsafeRawBufferPointer, in database: Database) throws -> Bool {
        precondition(!isReadOnly, "delete in a read-only transaction: use Environment.write")
        var k = MDB_val(key)
        let rc = mdb_del(pointer, handle(of: database), &k, nil)
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del")
        return true
    }

    /// Deletes `key` (with all its duplicates). Returns false when it was absent.
    @discardableResult
    public func delete<K: ContiguousBytes>(forKey key: K, in database: Database) throws -> Bool {
        try key.withUnsafeBytes { try delete(forKey: $0, in: database) }
    }

    /// Deletes one key/value pair of a `duplicateSort` database. Returns false when absent.
    @discardableResult
    public func delete<K: ContiguousBytes, V: ContiguousBytes>(
        _ value: V, forKey key: K, in database: Database
    ) throws -> Bool {
        precondition(!isReadOnly, "delete in a read-only transaction: use Environment.write")
        return try key.withUnsafeBytes { kb in
            try value.withUnsafeBytes { vb in
                var k = MDB_val(kb)
                var v = MDB_val(vb)
                let rc = mdb_del(pointer, handle(of: database), &k, &v)
                if rc == MDB_NOTFOUND { return false }
                try check(rc, "mdb_del")
                return true
            }
        }
    }

    /// Deletes every entry of `database`, keeping the database itself.
    public func removeAll(in database: Database) throws {
        precondition(!isReadOnly, "removeAll in a read-only transaction: use Environment.write")
        try check(mdb_drop(pointer, handle(of: database), 0), "mdb_drop")
    }

    // MARK: Inspection and cursors

    /// Page statistics of `database` as this transaction sees it.
    public func statistics(of database: Database) throws -> DatabaseStatistics {
        var stat = MDB_stat()
        try check(mdb_stat(pointer, handle(of: database), &stat), "mdb_stat")
        return DatabaseStatistics(stat)
    }

    /// Opens a cursor on `database` for the duration of `body`.
    public func withCursor<R>(in database: Database, _ body: (borrowing Cursor) throws -> R) throws -> R {
        var opened: OpaquePointer?
        try check(mdb_cursor_open(pointer, handle(of: database), &opened), "mdb_cursor_open")
        guard let raw = opened else { throw LMDBError(code: .outOfMemory, operation: "mdb_cursor_open") }
        defer { mdb_cursor_close(raw) }
        let cursor = Cursor(pointer: raw, transaction: pointer, database: handle(of: database), isReadOnly: isReadOnly)
        return try body(cursor)
    }

    /// Compares two keys the way `database` orders them (negative, zero or positive).
    public func compareKeys(
        _ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer, in database: Database
    ) -> Int {
        var a = MDB_val(lhs)
        var b = MDB_val(rhs)
        return Int(mdb_cmp(pointer, handle(of: database), &a, &b))
    }
}

extension MDB_val {
    /// A view of `buffer` for LMDB; LMDB does not write through key or value inputs.
    @inline(__always)
    init(_ buffer: UnsafeRawBufferPointer) {
        self.init(mv_size: buffer.count, mv_data: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes an `MDB_val` describes.
    @inline(__always)
    init(_ value: MDB_val) {
        self.init(start: value.mv_data, count: value.mv_size)
    }
}
