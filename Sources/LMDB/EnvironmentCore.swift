import CLMDB
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one `MDB_env` of a path in this process, shared by every ``Environment`` that opens it.
///
/// It owns the environment handle, the pool of reset read transactions, the named database
/// handles and the map lock. It is created and closed only by ``EnvironmentRegistry``.
final class EnvironmentCore: @unchecked Sendable {
    // @unchecked: `env` is only used through LMDB calls that are thread-safe with MDB_NOTLS
    // (transactions never cross threads while in use, resizes hold the map lock exclusively);
    // every mutable field is guarded by a Mutex, or by the registry's lock (referenceCount).
    let env: OpaquePointer
    let path: String
    let options: Environment.Options
    let mapLock = MapLock()
    /// Set when a resize failed after LMDB unmapped the file (it could not map it again): any
    /// transaction would then fault, so every later one throws instead.
    private let unmapped = Atomic<Bool>(false)
    /// ``ForkDetector/generation`` when this environment was opened: a child of `fork()` sees
    /// another value, and must not use the parent's environment (LMDB's locks and reader slots
    /// belong to the parent).
    private let forkGeneration: Int
    private let readPool: ReadTransactionPool
    private let databases = Mutex<[String: Database]>([:])
    /// The registry's key for this environment (see ``EnvironmentRegistry``), set when it opens.
    var registryKey = ""
    /// How many ``Environment`` values use this core. Guarded by the registry's lock.
    var referenceCount = 0
    /// The process that opened it (LMDB handles must not be used after `fork()`).
    let processID = getpid()

    init(path: String, options: Environment.Options) throws(LMDBError) {
        ForkDetector.install()
        forkGeneration = ForkDetector.generation.load(ordering: .relaxed)
        var created: OpaquePointer?
        try check(mdb_env_create(&created), "mdb_env_create")
        guard let env = created else { throw LMDBError(code: .outOfMemory, operation: "mdb_env_create") }
        do {
            try check(mdb_env_set_mapsize(env, options.mapSize), "mdb_env_set_mapsize")
            try check(mdb_env_set_maxreaders(env, UInt32(options.maxReaders)), "mdb_env_set_maxreaders")
            try check(mdb_env_set_maxdbs(env, MDB_dbi(options.maxDatabases)), "mdb_env_set_maxdbs")
            let flags = options.flags.rawValue | UInt32(MDB_NOTLS)
            try check(mdb_env_open(env, path, flags, mdb_mode_t(options.fileMode)), "mdb_env_open", path)
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.env = env
        self.path = path
        self.options = options
        readPool = ReadTransactionPool(capacity: options.readTransactionPoolSize)
        // A process killed inside a read transaction leaves its slot behind, pinning pages.
        var dead: Int32 = 0
        _ = mdb_reader_check(env, &dead)
    }

    deinit { readPool.deallocate() }

    /// Closes the environment. Called once, by the registry, when no ``Environment`` uses it.
    func close() {
        for txn in readPool.drain() { mdb_txn_abort(txn) }
        mdb_env_close(env)
    }

    // MARK: Transactions

    /// Runs `body` inside a read transaction taken from (and returned to) the pool.
    func withReadTransaction(_ body: (OpaquePointer) throws -> Void) throws {
        try checkMapped()
        var clearedReaders = false
        while true {
            let hold = mapLock.lockShared()
            let pooled = readPool.take(near: hold.slot)
            var txn: OpaquePointer?
            let rc: Int32
            if let pooled {
                txn = pooled
                rc = mdb_txn_renew(pooled)
            } else {
                rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
            }
            guard rc == 0, let txn else {
                // A failed renew leaves the transaction reset; a failed begin frees it.
                if let pooled { mdb_txn_abort(pooled) }
                mapLock.unlockShared(hold)
                if rc == MDB_MAP_RESIZED, try adoptMapSize() { continue }
                if rc == MDB_READERS_FULL, !clearedReaders {
                    clearedReaders = true
                    // The transactions parked here hold reader slots too: free them first.
                    for parked in readPool.drain() { mdb_txn_abort(parked) }
                    _ = try readerCheck()
                    continue
                }
                try check(rc, pooled == nil ? "mdb_txn_begin" : "mdb_txn_renew", path)
                continue  // unreachable: check throws for rc != 0
            }
            defer {
                mdb_txn_reset(txn)
                if !readPool.park(txn, near: hold.slot) { mdb_txn_abort(txn) }
                mapLock.unlockShared(hold)
            }
            return try body(txn)
        }
    }

    /// Runs `body` inside a write transaction: commit on return, abort on throw. When the map
    /// is full and growth is allowed, the map grows and `body` runs again in a new transaction.
    func withWriteTransaction<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        try checkMapped()
        while true {
            let hold = mapLock.lockShared()
            var begun: OpaquePointer?
            let rc = mdb_txn_begin(env, nil, 0, &begun)
            guard rc == 0, let txn = begun else {
                mapLock.unlockShared(hold)
                if rc == MDB_MAP_RESIZED, try adoptMapSize() { continue }
                try check(rc, "mdb_txn_begin", path)
                continue  // unreachable
            }
            let result: R
            do {
                result = try body(txn)
            } catch {
                mdb_txn_abort(txn)
                mapLock.unlockShared(hold)
                if let lmdb = error as? LMDBError, lmdb.code == .mapFull, try growMap() { continue }
                throw error
            }
            // A failed commit has already freed the transaction: never abort it again.
            let commit = mdb_txn_commit(txn)
            mapLock.unlockShared(hold)
            if commit == MDB_MAP_FULL, try growMap() { continue }
            try check(commit, "mdb_txn_commit", path)
            return result
        }
    }

    // MARK: Map size

    /// The map size this process uses now.
    var mapSize: Int {
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        return info.me_mapsize
    }

    /// Adopts a map size grown by another process. Returns false when this thread holds a
    /// transaction (it must close it first).
    func adoptMapSize() throws(LMDBError) -> Bool {
        let done: Void? = try mapLock.withExclusiveAccess { () throws(LMDBError) in
            try resize(0)
        }
        return done != nil
    }

    /// Grows the map after `MDB_MAP_FULL`: first adopts any larger size another process set,
    /// otherwise doubles, up to the maximum. Returns false when growth is off, the maximum is
    /// reached, or this thread holds a transaction.
    func growMap() throws(LMDBError) -> Bool {
        guard let maximum = options.maximumMapSize else { return false }
        let grew: Bool? = try mapLock.withExclusiveAccess { () throws(LMDBError) -> Bool in
            let before = mapSize
            // Size 0 adopts the size last committed by any process (possibly smaller than ours,
            // when our own growth has not been committed yet).
            try resize(0)
            if mapSize > before { return true }
            let target = min(maximum, before.multipliedReportingOverflow(by: 2).partialValue)
            let grows = target > before
            try resize(grows ? target : before)
            return grows
        }
        return grew ?? false
    }

    /// Sets the map size, waiting until no transaction of this process is open.
    func setMapSize(_ bytes: Int) throws(LMDBError) {
        let done: Void? = try mapLock.withExclusiveAccess { () throws(LMDBError) in
            try resize(bytes)
        }
        if done == nil {
            throw LMDBError(
                code: .invalidArgument, operation: "mdb_env_set_mapsize",
                context: "the calling thread has a transaction open; close it before resizing")
        }
    }

    /// `mdb_env_set_mapsize`, which unmaps the file and maps it again: if that fails (no address
    /// space, under `ulimit -v`), the environment has no map, and is marked so.
    private func resize(_ bytes: Int) throws(LMDBError) {
        let rc = mdb_env_set_mapsize(env, bytes)
        if rc != 0 && rc != EINVAL { unmapped.store(true, ordering: .relaxed) }
        try check(rc, "mdb_env_set_mapsize", path)
    }

    /// Throws when a failed resize left the environment without a map.
    @inline(__always)
    private func checkMapped() throws(LMDBError) {
        precondition(
            ForkDetector.generation.load(ordering: .relaxed) == forkGeneration,
            "LMDB: an environment opened before fork() is used in the child process; LMDB forbids it"
                + " (its locks and reader slots belong to the parent): open the cache again in the child,"
                + " after the fork")
        guard unmapped.load(ordering: .relaxed) else { return }
        throw LMDBError(
            code: .panic, operation: "mdb_txn_begin",
            context: "\(path): a resize of the memory map failed and left it unmapped; close every handle of this"
                + " environment and open it again (in a new process if it keeps failing), with a smaller map size"
                + " or more address space (ulimit -v)")
    }

    /// Clears reader slots left by dead processes; returns how many were cleared.
    func readerCheck() throws(LMDBError) -> Int {
        var dead: Int32 = 0
        try check(mdb_reader_check(env, &dead), "mdb_reader_check", path)
        return Int(dead)
    }

    // MARK: Databases

    /// Opens (and caches) a named database handle.
    func database(named name: String?, flags: DatabaseFlags) throws -> Database {
        precondition(
            mapLock.depth == 0,
            "open databases before starting transactions, not inside one (LMDB: mdb_dbi_open must not run concurrently with other transactions' use of it)"
        )
        return try databases.withLock { cache throws -> Database in
            let cacheKey = name ?? ""
            if let known = cache[cacheKey] { return known }
            let readOnly = options.flags.contains(.readOnly) || !flags.contains(.create)
            let open: (OpaquePointer) throws -> Database = { txn in
                var handle = MDB_dbi()
                try check(mdb_dbi_open(txn, name, flags.rawValue, &handle), "mdb_dbi_open", name ?? "<main>")
                var actual: UInt32 = 0
                mdb_dbi_flags(txn, handle, &actual)
                return Database(
                    handle: handle, environment: UInt(bitPattern: self.env), name: name,
                    flags: DatabaseFlags(rawValue: actual))
            }
            // A handle opened in a transaction is visible to others only once that one commits,
            // so read-only opens use a fresh (non-pooled) transaction committed right away.
            let database: Database
            if readOnly {
                database = try withFreshReadTransaction(open)
            } else {
                database = try withWriteTransaction(open)
            }
            cache[cacheKey] = database
            return database
        }
    }

    /// Opens (and caches) named database handles in one transaction; see
    /// ``Environment/databases(named:flags:)``.
    func databases(named names: [String], flags: DatabaseFlags) throws -> [Database] {
        precondition(
            mapLock.depth == 0,
            "open databases before starting transactions, not inside one (LMDB: mdb_dbi_open must not run concurrently with other transactions' use of it)"
        )
        return try databases.withLock { cache throws -> [Database] in
            let missing = names.filter { cache[$0] == nil }
            if !missing.isEmpty {
                let openAll: (OpaquePointer, DatabaseFlags) throws -> [Database]? = { txn, flags in
                    var opened: [Database] = []
                    for name in missing {
                        var handle = MDB_dbi()
                        let rc = mdb_dbi_open(txn, name, flags.rawValue, &handle)
                        if rc == MDB_NOTFOUND && !flags.contains(.create) { return nil }
                        try check(rc, "mdb_dbi_open", name)
                        var actual: UInt32 = 0
                        mdb_dbi_flags(txn, handle, &actual)
                        opened.append(
                            Database(
                                handle: handle, environment: UInt(bitPattern: self.env), name: name,
                                flags: DatabaseFlags(rawValue: actual)))
                    }
                    return opened
                }
                // Existing databases open in a read-only transaction (committed, so that the
                // handles are visible to every later transaction); missing ones need a writer.
                var opened = try withFreshReadTransaction { txn in try openAll(txn, flags.subtracting(.create)) }
                if opened == nil, flags.contains(.create), !options.flags.contains(.readOnly) {
                    opened = try withWriteTransaction { txn in try openAll(txn, flags) }
                }
                guard let opened else {
                    throw LMDBError(
                        code: .notFound, operation: "mdb_dbi_open", context: missing.joined(separator: ", "))
                }
                for database in opened { cache[database.name ?? ""] = database }
            }
            return names.map { cache[$0]! }
        }
    }

    private func withFreshReadTransaction<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        var begun: OpaquePointer?
        var hold: MapLock.Hold
        while true {
            hold = mapLock.lockShared()
            let rc = mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &begun)
            if rc == 0 { break }
            mapLock.unlockShared(hold)
            // Another process grew the map: adopt its size (under the exclusive lock), then retry.
            if rc == MDB_MAP_RESIZED, try adoptMapSize() { continue }
            try check(rc, "mdb_txn_begin", path)
        }
        defer { mapLock.unlockShared(hold) }
        guard let txn = begun else { throw LMDBError(code: .outOfMemory, operation: "mdb_txn_begin") }
        let result: R
        do {
            result = try body(txn)
        } catch {
            mdb_txn_abort(txn)
            throw error
        }
        // A failed commit has already freed the transaction.
        try check(mdb_txn_commit(txn), "mdb_txn_commit", path)
        return result
    }
}

/// Counts `fork()`s of this process (in the child), so that environments opened before a fork
/// refuse to work in the child.
enum ForkDetector {
    static let generation = Atomic<Int>(0)
    private static let installed = Mutex(false)

    /// Registers the fork handler once per process.
    static func install() {
        installed.withLock { done in
            guard !done else { return }
            done = true
            pthread_atfork(nil, nil) { ForkDetector.generation.add(1, ordering: .relaxed) }
        }
    }
}
