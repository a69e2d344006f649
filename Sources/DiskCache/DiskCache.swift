import LMDB
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A persistent key/value cache in a directory, on LMDB: expiring entries, exact totals, and
/// safe sharing between threads and processes.
///
/// ```swift
/// let cache = try DiskCache(directory: "/var/cache/app")
/// try cache.set(Array("hello".utf8), forKey: "greeting", expiry: .after(.seconds(60)))
/// let value = try cache.get("greeting")          // [UInt8]?
/// let hits = try cache.increment("hits")         // 1, 2, 3, … exact across processes
/// ```
///
/// The API is synchronous and thread-safe, so command-line tools can use it without async code;
/// the `Cashews` module puts it behind an async facade. Any number of processes may open the same
/// directory at once: every operation is atomic across them. Reads never write (no hit counter
/// or access time is stored on a read), so they never wait for writers. Concurrent writers in
/// one process are group-committed: many writes share one transaction and one commit.
///
/// Expired entries are never returned, whether or not a sweep has removed them yet;
/// ``sweepExpired(limit:)`` removes them in O(expired) through the expiry index.
public final class DiskCache: Sendable {
    /// The cache directory's real path.
    public let directory: String
    /// The configuration this instance was opened with.
    public let configuration: Configuration

    let environment: Environment
    let store: EntryStore
    /// Files of values larger than ``Configuration/blobThreshold``.
    let blobs: BlobStore
    let committer = GroupCommitter()
    let asyncWrites = AsyncWriteQueue()
    let counters = Counters()
    /// Reads waiting to be folded into the eviction order (LRU and LFU only).
    let accessLog: AccessLog?
    /// The admission filter's state (``Configuration/admission``), nil when every write is admitted.
    let admission: AdmissionFilter?
    /// The note of the last flush, in the modes that defer flushes (see ``SyncMarker``).
    let syncMarker: SyncMarker.File?
    /// True while a fold requested by a full access log is queued (see ``requestFold()``).
    let foldRequested = Atomic<Bool>(false)
    /// When maintenance last looked for orphan blob files (ms, monotonic; 0: never).
    let lastOrphanSweep = Atomic<Int64>(0)
    /// When the data file was last flushed (ms, monotonic within this process).
    private let lastSync: Atomic<Int64>
    /// The expiry floor (see ``BatchState/expiryFloor``) as this process's last commit left it,
    /// and that commit's transaction id: valid for the next transaction only if no other commit
    /// (of any process) came in between.
    private let expiryFloorHint = Mutex<(transaction: Int, floor: Int64)>((0, .min))

    var schema: Schema { store.schema }
    var logger: Logger { configuration.logger }
    @inline(__always) var now: Int64 { configuration.clock.now() }

    /// Opens (creating if needed) the cache in `directory`.
    ///
    /// The directory is created with mode 0700 and its files with 0600: a cache may hold private
    /// data, and whoever can write it can feed values to every process that reads it.
    ///
    /// - Throws: ``DiskCacheError/fileSystem(operation:path:errno:)`` when the directory cannot be
    ///   created, ``DiskCacheError/storage(_:)`` when it cannot be opened, and
    ///   ``DiskCacheError/incompatibleCache(path:reason:)`` when it holds another format or was
    ///   created with another eviction policy.
    public init(directory: String, configuration: Configuration = Configuration()) throws {
        precondition(configuration.initialMapSize > 0, "initialMapSize must be positive")
        precondition(configuration.cullLimit >= 0, "cullLimit cannot be negative")
        try DiskCache.createDirectory(directory)
        var flags: Environment.Flags = []
        switch configuration.durability {
        case .full: break
        case .metadataAsync: flags.insert(.noMetaSync)
        case .periodic, .none: flags.insert(.noSync)
        }
        let options = Environment.Options(
            mapSize: configuration.initialMapSize,
            maximumMapSize: max(configuration.maximumMapSize, configuration.initialMapSize),
            maxReaders: 512, maxDatabases: 8, fileMode: 0o600, flags: flags)
        let shutdown = try DiskCache.checkLastShutdown(directory, configuration: configuration, options: options)
        let environment: Environment
        do {
            do {
                environment = try DiskCache.openEnvironment(directory, options: options)
            } catch DiskCacheError.storage(let error) where error.code == .outOfMemory && options.mapSize > 64 << 20 {
                // No address space for the reserved map: start small and grow on demand.
                var smaller = options
                smaller.mapSize = 64 << 20
                configuration.logger.notice(
                    "could not map \(options.mapSize) bytes; the map starts at 64 MiB and grows",
                    metadata: ["directory": "\(directory)"])
                environment = try DiskCache.openEnvironment(directory, options: smaller)
            }
        } catch let error as DiskCacheError where configuration.onCorruption == .recreate {
            guard case .corrupted(_, let reason) = error else { throw error }
            let moved = try DiskCache.moveDamagedFiles(in: directory)
            configuration.logger.error(
                "cache directory was damaged; moved its files aside and started empty",
                metadata: ["directory": "\(directory)", "reason": "\(reason)", "movedTo": "\(moved)"])
            environment = try DiskCache.openEnvironment(directory, options: options)
        }
        var configuration = configuration
        var schema = try storage { try Schema(environment: environment, policy: configuration.evictionPolicy) }
        if configuration.adoptsStoredPolicy, let stored = try DiskCache.storedPolicy(environment, schema),
            stored != configuration.evictionPolicy
        {
            configuration.evictionPolicy = stored
            schema = try storage { try Schema(environment: environment, policy: stored) }
        }
        self.environment = environment
        self.directory = environment.path
        self.configuration = configuration
        let store = EntryStore(schema: schema, policy: configuration.evictionPolicy)
        self.store = store
        let flushesBlobs = configuration.durability == .full || configuration.durability == .metadataAsync
        self.blobs = BlobStore(cacheDirectory: environment.path, flushes: flushesBlobs)
        self.accessLog =
            store.tracksReads ? AccessLog(capacity: AccessLog.capacity(for: configuration.evictionPolicy)) : nil
        if case .frequent(let misses) = configuration.admission, configuration.evictionPolicy != .none {
            // Sized by the count limit, else by the size limit at 4 KiB an entry.
            let capacity = configuration.countLimit ?? (configuration.sizeLimit ?? 1 << 30) / 4096
            admission = AdmissionFilter(capacity: max(1024, min(capacity, 1 << 24)), misses: misses)
        } else {
            admission = nil
        }
        self.lastSync = Atomic(DiskCache.monotonicMilliseconds())
        self.syncMarker =
            configuration.durability.defersFlushes
            ? try shutdown.file ?? SyncMarker.File(directory: environment.path) : nil
        // The writer thread holds the queue, the queue only a weak path back: an idle cache
        // can be released.
        asyncWrites.start { [weak self] batch in
            guard let self else {
                for request in batch { request.error = CancellationError() }
                return
            }
            self.executeBatch(batch)
        }
        try checkFormat()
        try finishRecovery(shutdown)
    }

    /// Opens the environment, turning every sign of a damaged data file into
    /// ``DiskCacheError/corrupted(path:reason:)``: LMDB's corruption codes, and a data file
    /// shorter than its own meta page says (LMDB would fault reading past the end).
    private static func openEnvironment(_ directory: String, options: Environment.Options) throws -> Environment {
        let environment: Environment
        do {
            environment = try Environment(path: directory, options: options)
        } catch let error as LMDBError where error.code.isCorruption {
            throw DiskCacheError.corrupted(path: directory, reason: "\(error.code): \(error.message)")
        } catch let error as LMDBError {
            throw DiskCacheError.storage(error)
        }
        let used = try storage { (try environment.info().lastPageNumber + 1) * (try environment.statistics().pageSize) }
        var info = stat()
        if stat(environment.path + "/data.mdb", &info) == 0, Int(info.st_size) < used {
            throw DiskCacheError.corrupted(
                path: directory, reason: "data.mdb has \(info.st_size) bytes but its meta page says \(used)")
        }
        return environment
    }

    /// Moves data.mdb, lock.mdb and blobs/ of a damaged cache into `damaged-<time>/`.
    static func moveDamagedFiles(in directory: String) throws -> String {
        let target = directory + "/damaged-\(time(nil))-\(getpid())"
        guard mkdir(target, 0o700) == 0 else {
            throw DiskCacheError.fileSystem(operation: "mkdir", path: target, errno: errno)
        }
        for name in ["data.mdb", "lock.mdb", "blobs"] where access(directory + "/" + name, F_OK) == 0 {
            guard rename(directory + "/" + name, target + "/" + name) == 0 else {
                throw DiskCacheError.fileSystem(operation: "rename", path: directory + "/" + name, errno: errno)
            }
        }
        return target
    }

    /// Creates the directory (and its parents) with mode 0700 if it does not exist.
    private static func createDirectory(_ path: String) throws {
        var info = stat()
        if stat(path, &info) != 0 {
            var partial = path.hasPrefix("/") ? "" : "."
            for component in path.split(separator: "/") {
                partial += "/" + component
                if mkdir(partial, 0o700) != 0 && errno != EEXIST {
                    throw DiskCacheError.fileSystem(operation: "mkdir", path: partial, errno: errno)
                }
            }
            guard stat(path, &info) == 0 else {
                throw DiskCacheError.fileSystem(operation: "stat", path: path, errno: errno)
            }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw DiskCacheError.fileSystem(operation: "open directory", path: path, errno: ENOTDIR)
        }
        // Whoever can write the directory can feed values to every process that reads it (and a
        // crafted data file to LMDB, which does not check pages): it must be this user's, and not
        // writable by others, even when it existed before (or is reached through a symlink).
        guard info.st_uid == DiskCache.effectiveUserID, info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw DiskCacheError.fileSystem(
                operation:
                    "use a cache directory owned by another user or writable by others (chown it to this user"
                    + " and chmod go-w, or choose another directory)",
                path: path, errno: EACCES)
        }
    }

    /// This process's effective user, the owner every cache directory must have.
    private static let effectiveUserID = geteuid()

    /// The eviction policy named by the format line of an existing cache of this format, or nil
    /// (a new cache, or a format line this version does not read).
    private static func storedPolicy(_ environment: Environment, _ schema: Schema) throws -> EvictionPolicy? {
        let found = try storage {
            try environment.read { txn in try txn.value(forKey: Schema.formatKey, in: schema.meta) }
        }
        guard let found else { return nil }
        let line = String(decoding: found, as: UTF8.self)
        guard line.hasPrefix(Schema.format + " policy=") else { return nil }
        let name = line.dropFirst(Schema.format.count + " policy=".count).prefix { $0 != " " }
        return EvictionPolicy(rawValue: String(name))
    }

    /// Writes the format line of a new cache, or checks that of an existing one.
    private func checkFormat() throws {
        let expected = Schema.formatLine(policy: configuration.evictionPolicy)
        let (found, totalsLost) = try storage {
            try environment.read { txn in
                let line = try txn.value(forKey: Schema.formatKey, in: schema.meta)
                // Totals missing or short beside entries: the size bound would count from zero.
                let totals = try txn.withValue(forKey: Schema.stateKey, in: schema.meta) { MetaState($0) }
                let lost = try line != nil && (totals ?? nil) == nil && txn.statistics(of: schema.entries).entries > 0
                return (line, lost)
            }
        }
        if let found {
            let line = String(decoding: found, as: UTF8.self)
            if line != expected, configuration.evictionPolicy == .leastFrequentlyUsed,
                line == Schema.legacyFormatLine(policy: .leastFrequentlyUsed)
            {
                try migrateFrequencyRanks()
                return try recountIfTotalsLost(totalsLost)
            }
            guard line == expected else {
                let reason =
                    line.hasPrefix(Schema.format)
                    ? "it was created with \(line.dropFirst(Schema.format.count + 1)); open it with that"
                        + " eviction policy, or clear the directory to start over with another"
                    : "it holds \"\(line)\", not \(Schema.format); delete the directory to recreate it"
                throw DiskCacheError.incompatibleCache(path: directory, reason: reason)
            }
            return try recountIfTotalsLost(totalsLost)
        }
        try storage {
            try environment.write { txn in
                // Another process may have created it meanwhile: first writer wins, then check.
                if try txn.containsValue(forKey: Schema.formatKey, in: schema.meta) { return }
                try txn.put(Array(expected.utf8), forKey: Schema.formatKey, in: schema.meta)
                try MetaState().store(txn, schema)
            }
        }
        let stored = try storage {
            try environment.read { txn in try txn.value(forKey: Schema.formatKey, in: schema.meta) }
        }
        if stored.map({ String(decoding: $0, as: UTF8.self) }) != expected {
            throw DiskCacheError.incompatibleCache(
                path: directory, reason: "another process created it with another eviction policy at the same time")
        }
    }

    /// Rebuilds the totals (count, volume, blobs) of a cache whose totals record is missing or
    /// too short beside its entries: otherwise the size bound would count from zero.
    private func recountIfTotalsLost(_ lost: Bool) throws {
        guard lost else { return }
        logger.warning(
            "the cache's totals record is missing or damaged: counting its entries again (check(repair: true))",
            metadata: ["directory": "\(directory)"])
        try check(repair: true)
    }

    /// Moves a least-frequently-used cache written before ranks aged (hit count in the high 24
    /// bits, sequence in the low 40) to the aging layout (priority above 24 sequence bits), in
    /// one write transaction, and records the new format line. Hit counts keep their order.
    private func migrateFrequencyRanks() throws {
        try storage {
            try environment.write { txn in
                let line = try txn.value(forKey: Schema.formatKey, in: schema.meta)
                guard
                    line.map({ String(decoding: $0, as: UTF8.self) })
                        == Schema.legacyFormatLine(policy: .leastFrequentlyUsed)
                else { return }  // another process migrated it first
                var rows: [(UInt64, [UInt8])] = []
                try txn.withCursor(in: schema.order) { cursor in
                    try cursor.scan { row in
                        rows.append((IndexKey.number(row.key), Array(IndexKey.storageKey(row.key))))
                        return .continue
                    }
                }
                try txn.removeAll(in: schema.order)
                for (old, storageKey) in rows {
                    let frequency = UInt32(old >> 40) + 1  // the old hit count, plus the write
                    let rank = Rank.afterHits(
                        frequency: frequency, sequence: old, policy: .leastFrequentlyUsed, age: 0)
                    try storageKey.withUnsafeBytes { key in
                        try IndexKey.with(rank, key) { try txn.put([UInt8](), forKey: $0, in: schema.order) }
                        var row = (rank.littleEndian, frequency.littleEndian)
                        try withUnsafeBytes(of: &row) {
                            try txn.put(UnsafeRawBufferPointer(rebasing: $0[0..<12]), forKey: key, in: schema.ranks)
                        }
                    }
                }
                try txn.put(
                    Array(Schema.formatLine(policy: .leastFrequentlyUsed).utf8), forKey: Schema.formatKey,
                    in: schema.meta)
                logger.notice(
                    "moved the cache's least-frequently-used ranks to the aging layout",
                    metadata: ["directory": "\(directory)", "entries": "\(rows.count)"])
            }
        }
    }

    // MARK: Writing through the group committer

    /// Thrown inside a batch when a request failed after changing something.
    private struct PartialWrite: Error {}

    /// Runs `body` in a group-committed write transaction and returns its result.
    func write<R>(_ body: (borrowing Transaction, inout BatchState) throws -> R) throws -> R {
        precondition(
            !environment.hasTransactionOnCurrentThread,
            "DiskCache: a write from inside a withValue, read or modify body would wait for itself forever;"
                + " finish the body first (copy what it needs), then write")
        var result: R?
        try committer.submit({ txn, state in result = try body(txn, &state) }, execute: executeBatch)
        return result!
    }

    /// Runs `body` in a write transaction shared with other async callers, without blocking the
    /// calling task's thread; see ``AsyncWriteQueue``.
    func writeAsync<R: Sendable>(_ body: @escaping (borrowing Transaction, inout BatchState) throws -> R) async throws
        -> R
    {
        let box = ResultBox<R>()
        return try await withCheckedThrowingContinuation { continuation in
            let request = WriteRequest { txn, state in box.value = try body(txn, &state) }
            request.completion = { error in
                if let error {
                    continuation.resume(throwing: error)
                } else {
                    continuation.resume(returning: box.value!)
                }
            }
            asyncWrites.enqueue(request)
        }
    }

    /// Asks the async writer thread for a transaction that only folds the recorded reads (the
    /// access log is full), unless one is already on its way; never waits for it.
    func requestFold() {
        guard foldRequested.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
            return
        }
        let request = WriteRequest { _, _ in }  // every write transaction folds the log first
        request.completion = { [weak self] _ in self?.foldRequested.store(false, ordering: .relaxed) }
        asyncWrites.enqueue(request)
    }

    /// Runs one batch of requests in one write transaction.
    ///
    /// A request that fails before changing anything fails alone. One that fails after changing
    /// something (it should not: every request validates first) cannot be undone inside the
    /// shared transaction, so the batch is aborted and each request runs again in a transaction
    /// of its own, which keeps every request all-or-nothing. A storage error does the same, so
    /// that a request too large for the map fails alone, not with the unrelated requests beside
    /// it.
    func executeBatch(_ batch: [WriteRequest]) {
        do {
            try commit(batch)
        } catch let error where batch.count > 1 && (error is PartialWrite || error is LMDBError) {
            // A storage error (a full map or disk, too large a transaction) may come from one
            // request alone: run each on its own, so that it fails only the request that caused it.
            for request in batch {
                do {
                    try commit([request])
                } catch {
                    fail([request], with: error)
                }
            }
        } catch {
            fail(batch, with: error)
        }
        // On the engine thread: the batch's writers (and, through the flush's short spell inside
        // LMDB's writer lock, every process's writers) do not wait for a flush of the data file.
        syncIfDue(inBackground: true)
    }

    /// Runs `requests` in one write transaction and commits it; counts what it did afterwards.
    private func commit(_ requests: [WriteRequest]) throws {
        var totals = BatchState(meta: MetaState(), now: 0)
        let accesses = accessLog?.drain() ?? []
        let written = BlobLedger()
        var transaction = 0
        do {
            // Before LMDB's writer lock, so that the marker's fsync does not hold up the writers of
            // other processes; checked again inside the lock (a flush may have come meanwhile).
            try markUnflushed()
            try environment.write { txn in
                try markUnflushed()
                written.beginRun()
                var state = BatchState(meta: try MetaState.load(txn, schema), now: now, written: written)
                transaction = txn.id
                let hint = expiryFloorHint.withLock { $0 }
                if hint.transaction + 1 == transaction { state.expiryFloor = hint.floor }
                // The recorded reads happened before this batch's writes: fold them first, so
                // that what the batch writes ranks newest.
                try fold(accesses, txn, &state)
                state.startSequence = state.meta.sequence
                for request in requests {
                    request.error = nil
                    state.changed = false
                    let setsBefore = state.sets
                    let mark = written.mark
                    do {
                        try request.body(txn, &state)
                    } catch let error as LMDBError {
                        throw error  // the transaction is unusable: fail the whole batch
                    } catch {
                        if state.changed {
                            if requests.count == 1 { throw error }  // alone: aborting undoes it
                            throw PartialWrite()
                        }
                        state.sets = setsBefore
                        written.abandon(since: mark)
                        request.error = error
                    }
                }
                try enforceLimits(txn, &state)
                if state.metaChanged { try state.meta.store(txn, schema) }
                totals = state
            }
        } catch {
            accessLog?.restore(accesses)
            blobs.remove(written.all)
            throw error
        }
        expiryFloorHint.withLock { $0 = (transaction, totals.expiryFloor) }
        blobs.remove(written.abandoned)
        blobs.remove(totals.blobsToRemove)
        counters.sets.add(totals.sets, ordering: .relaxed)
        counters.expirations.add(totals.expirations, ordering: .relaxed)
        counters.evictions.add(totals.evictions, ordering: .relaxed)
    }

    private func fail(_ requests: [WriteRequest], with error: any Error) {
        let failure = (error as? LMDBError).map(DiskCacheError.storage) ?? error
        for request in requests { request.error = failure }
        if error is LMDBError {
            logger.error("cache write failed", metadata: ["directory": "\(directory)", "error": "\(failure)"])
        }
    }

    /// With ``Durability/periodic(_:)``, flushes when the last flush is older than the interval:
    /// now, or `inBackground` on the ``EngineThread`` (after a commit: its writers return at
    /// once, the flush follows within milliseconds).
    func syncIfDue(inBackground: Bool = false) {
        guard case .periodic(let interval) = configuration.durability else { return }
        let current = DiskCache.monotonicMilliseconds()
        let last = lastSync.load(ordering: .relaxed)
        guard current - last >= interval.milliseconds else { return }
        guard lastSync.compareExchange(expected: last, desired: current, ordering: .relaxed).exchanged else { return }
        guard inBackground else { return periodicFlush() }
        EngineThread.shared.submit { [weak self] in self?.periodicFlush() }
    }

    /// The flush of ``syncIfDue(inBackground:)``; a failure is logged (the next one retries).
    private func periodicFlush() {
        do {
            try flushEverything()
        } catch {
            logger.warning("periodic cache flush failed", metadata: ["error": "\(error)"])
        }
    }

    /// Flushes every committed write to the disk now, whatever the durability mode.
    ///
    /// The blob files written since the last flush are flushed first, then the data file; then
    /// the flush is noted durably (see ``Durability/periodic(_:)``).
    public func flush() throws {
        try flushEverything()
        lastSync.store(DiskCache.monotonicMilliseconds(), ordering: .relaxed)
    }

    /// Flushes unflushed blob files, then the data file, and notes the flush.
    private func flushEverything() throws {
        try blobs.flushPending()
        try flushDataAndNote()
    }

    static func monotonicMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    // MARK: Keys

    /// Calls `body` with the UTF-8 bytes of `key`, its storage key and whether it is long.
    @inline(__always)
    static func withKey<R>(
        _ key: String, _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, Bool) throws -> R
    ) throws -> R {
        guard !key.isEmpty else { throw DiskCacheError.emptyKey }
        return try key.withUTF8Bytes { raw in
            try StorageKey.withEncoded(raw) { storageKey, isLong in try body(raw, storageKey, isLong) }
        }
    }
}
