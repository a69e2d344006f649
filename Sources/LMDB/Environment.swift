import CLMDB

/// An LMDB environment: one directory holding a memory-mapped data file and a lock file,
/// shared safely by every thread of this process and by other processes.
///
/// ```swift
/// let env = try Environment(path: "/var/cache/app")
/// let entries = try env.database(named: "entries", flags: .create)
/// try env.write { txn in try txn.put(Array("v".utf8), forKey: Array("k".utf8), in: entries) }
/// let value = try env.read { txn in try txn.value(forKey: Array("k".utf8), in: entries) }
/// ```
///
/// Opening a path that this process already has open returns a new `Environment` that shares
/// the open handle (LMDB allows one per path per process); the handle closes when the last
/// `Environment` of the path is released. The environment is always opened with `MDB_NOTLS`, so
/// read transactions may be used from any thread, and tasks may hop threads between them.
///
/// Transactions are synchronous closures: ``read(_:)`` and ``write(_:)`` cannot suspend, so no
/// transaction ever spans an `await`. Do not start a transaction inside another one on the same
/// environment: a nested write blocks forever on LMDB's writer lock, and a nested read cannot
/// adopt a map resize.
public final class Environment: Sendable {
    let core: EnvironmentCore

    /// Opens the environment in the existing directory `path` (or, with
    /// ``Flags/noSubdirectory``, the data file `path`).
    ///
    /// - Throws: ``LMDBError`` when the directory is missing (``LMDBError/Code/noSuchFile``),
    ///   unreadable (``LMDBError/Code/permissionDenied``), or holds no valid LMDB files.
    public init(path: String, options: Options = Options()) throws {
        core = try EnvironmentRegistry.acquire(path: path, options: options)
    }

    deinit { EnvironmentRegistry.release(core) }

    /// The real path of the environment's directory (or data file).
    public var path: String { core.path }

    /// The options the environment was opened with (those of the first opener in the process).
    public var options: Options { core.options }

    /// True when `other` uses the same underlying LMDB handle (the same path in this process).
    public func sharesHandle(with other: Environment) -> Bool { core === other.core }

    /// The largest key LMDB accepts, in bytes (511 with the default build).
    public var maxKeySize: Int { Int(mdb_env_get_maxkeysize(core.env)) }

    // MARK: Transactions

    /// Runs `body` in a read-only transaction and returns its result.
    ///
    /// Read transactions never block writers or other readers. Keep them short: a long reader
    /// keeps pages of older snapshots from being reused.
    @inlinable
    public func read<R>(_ body: (borrowing Transaction) throws -> R) throws -> R {
        var result: R?
        try withReadPointer { result = try body(Transaction(pointer: $0, isReadOnly: true)) }
        return result!
    }

    /// Runs `body` in a write transaction: commits when it returns, aborts when it throws.
    ///
    /// Write transactions are serialized across every thread and process. When the map fills
    /// up and ``Options/maximumMapSize`` allows it, the map grows and `body` runs again in a
    /// fresh transaction, so keep side effects outside the transaction idempotent.
    @inlinable
    public func write<R>(_ body: (borrowing Transaction) throws -> R) throws -> R {
        var result: R?
        try withWritePointer { result = try body(Transaction(pointer: $0, isReadOnly: false)) }
        return result!
    }

    // Non-generic cores: callers in other modules inline the generic shells above and call these
    // directly, with no generic metadata on the hot path.
    @usableFromInline
    func withReadPointer(_ body: (OpaquePointer) throws -> Void) throws {
        try core.withReadTransaction(body)
    }

    @usableFromInline
    func withWritePointer(_ body: (OpaquePointer) throws -> Void) throws {
        try core.withWriteTransaction(body)
    }

    // MARK: Databases

    /// Opens a named database (or the main database when `name` is nil), creating it with
    /// ``DatabaseFlags/create``. Handles are cached: opening a name twice returns the same
    /// handle. Open databases up front, never inside a transaction.
    public func database(named name: String?, flags: DatabaseFlags = []) throws -> Database {
        try core.database(named: name, flags: flags)
    }

    /// Opens several named databases at once, in one transaction: a read-only one when they all
    /// exist, a write transaction that creates the missing ones otherwise (with
    /// ``DatabaseFlags/create`` in `flags`). Returns the handles in the order of `names`; cached
    /// like ``database(named:flags:)``.
    public func databases(named names: [String], flags: DatabaseFlags = []) throws -> [Database] {
        try core.databases(named: names, flags: flags)
    }

    // MARK: Size and maintenance

    /// Page statistics of the environment's main database.
    public func statistics() throws -> DatabaseStatistics {
        var stat = MDB_stat()
        // LMDB reads the meta pages in the map: hold the map lock, so no resize unmaps them.
        try core.mapLock.withShared { try check(mdb_env_stat(core.env, &stat), "mdb_env_stat", core.path) }
        return DatabaseStatistics(stat)
    }

    /// Map size, last page, last transaction and reader counts.
    public func info() throws -> EnvironmentInfo {
        var info = MDB_envinfo()
        try core.mapLock.withShared { try check(mdb_env_info(core.env, &info), "mdb_env_info", core.path) }
        return EnvironmentInfo(info)
    }

    /// Sets the map size (usually to grow it). Waits until no transaction of this process is
    /// open; throws ``LMDBError/Code/invalidArgument`` when called from inside a transaction.
    /// Other processes adopt the new size when they next begin a transaction.
    public func setMapSize(_ bytes: Int) throws {
        precondition(bytes > 0, "a map size must be positive")
        try core.setMapSize(bytes)
    }

    /// Clears reader slots left behind by processes that died inside a read transaction (they
    /// pin old pages and make the file grow). Returns how many slots were cleared. Runs on open
    /// and whenever a read transaction finds every slot taken.
    @discardableResult
    public func readerCheck() throws -> Int { try core.readerCheck() }

    /// Flushes the data file to disk. Needed only with ``Flags/noSync`` or
    /// ``Flags/noMetaSync``; with `force` false, a ``Flags/mapAsync`` flush is only started.
    public func sync(force: Bool = true) throws {
        try check(mdb_env_sync(core.env, force ? 1 : 0), "mdb_env_sync", core.path)
    }

    /// Copies the environment to the existing empty directory `path` while it stays in use.
    /// With `compact`, free pages are left out and pages renumbered (a smaller copy).
    public func copy(to path: String, compact: Bool = false) throws {
        let flags = compact ? UInt32(MDB_CP_COMPACT) : 0
        try core.mapLock.withShared { try check(mdb_env_copy2(core.env, path, flags), "mdb_env_copy2", path) }
    }

    /// How many environments this process has open, across all paths.
    public static var openCount: Int { EnvironmentRegistry.openCount }
}
