import CLMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A position in a database, lent to the body of ``Transaction/withCursor(in:_:)``.
///
/// Entries returned by a cursor point into the memory map, without copying: they are valid until
/// the transaction ends or, in a write transaction, until the next change.
public struct Cursor: ~Copyable {
    let pointer: OpaquePointer
    let transaction: OpaquePointer
    let database: UInt32
    let isReadOnly: Bool

    /// One key/value pair, viewed in place.
    public struct Entry {
        /// The key's bytes.
        public let key: UnsafeRawBufferPointer
        /// The value's bytes.
        public let value: UnsafeRawBufferPointer
    }

    /// Which way a scan walks the keys.
    public enum Direction: Sendable {
        /// From smaller keys to larger ones.
        case forward
        /// From larger keys to smaller ones.
        case backward
    }

    /// What a scan's body wants next.
    public enum ScanStep: Sendable {
        /// Go on to the next entry.
        case `continue`
        /// End the scan.
        case stop
    }

    /// Moves to the first entry; nil when the database is empty.
    public func first() throws -> Entry? { try move(MDB_FIRST) }
    /// Moves to the last entry; nil when the database is empty.
    public func last() throws -> Entry? { try move(MDB_LAST) }
    /// Moves to the next entry; nil at the end.
    public func next() throws -> Entry? { try move(MDB_NEXT) }
    /// Moves to the previous entry; nil at the start.
    public func previous() throws -> Entry? { try move(MDB_PREV) }
    /// The entry at the cursor; nil when the cursor is not positioned.
    public func current() throws -> Entry? { try move(MDB_GET_CURRENT) }

    /// Moves to the first entry whose key is greater than or equal to `key`; nil when none is.
    public func seek(atLeast key: UnsafeRawBufferPointer) throws -> Entry? {
        try move(MDB_SET_RANGE, key: key)
    }

    /// Moves to the entry whose key equals `key`; nil when there is none.
    public func seek(exactly key: UnsafeRawBufferPointer) throws -> Entry? {
        try move(MDB_SET_KEY, key: key)
    }

    /// Moves to the last entry whose key is less than or equal to `key`; nil when none is.
    public func seek(atMost key: UnsafeRawBufferPointer) throws -> Entry? {
        guard let found = try seek(atLeast: key) else { return try last() }
        var a = MDB_val(found.key)
        var b = MDB_val(key)
        if mdb_cmp(transaction, database, &a, &b) > 0 { return try previous() }
        return found
    }

    /// Deletes the entry at the cursor. A following ``next()`` or ``previous()`` returns the
    /// neighbour of the deleted entry, so a scan may delete as it goes.
    public func deleteCurrent() throws {
        precondition(!isReadOnly, "delete in a read-only transaction: use Environment.write")
        try check(mdb_cursor_del(pointer, 0), "mdb_cursor_del")
    }

    /// Walks the entries in `direction`, starting at `key` (inclusive: the first key ≥ `key`
    /// forward, the last key ≤ `key` backward) or at the first/last entry when `key` is nil.
    /// `body` may call ``deleteCurrent()`` on the entry it is given.
    public func scan(
        from key: UnsafeRawBufferPointer? = nil, direction: Direction = .forward,
        _ body: (Entry) throws -> ScanStep
    ) throws {
        var entry: Entry?
        switch (direction, key) {
        case (.forward, nil): entry = try first()
        case (.forward, let key?): entry = try seek(atLeast: key)
        case (.backward, nil): entry = try last()
        case (.backward, let key?): entry = try seek(atMost: key)
        }
        while let current = entry {
            if try body(current) == .stop { return }
            entry = direction == .forward ? try next() : try previous()
        }
    }

    private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws -> Entry? {
        var k = key.map { MDB_val($0) } ?? MDB_val()
        var v = MDB_val()
        let rc = mdb_cursor_get(pointer, &k, &v, op)
        if rc == MDB_NOTFOUND { return nil }
        // A cursor that was never positioned (or sits past a deleted last entry) reports EINVAL.
        if rc == EINVAL && op == MDB_GET_CURRENT { return nil }
        try check(rc, "mdb_cursor_get")
        return Entry(key: UnsafeRawBufferPointer(k), value: UnsafeRawBufferPointer(v))
    }
}
