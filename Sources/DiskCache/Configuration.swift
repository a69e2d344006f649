import Logging

extension DiskCache {
    /// How a cache directory is opened. Every property has a default that suits a service or a
    /// command-line tool; change only what you need:
    ///
    /// ```swift
    /// var configuration = DiskCache.Configuration()
    /// configuration.sizeLimit = 512 << 20
    /// configuration.durability = .full
    /// let cache = try DiskCache(directory: "/var/cache/app", configuration: configuration)
    /// ```
    public struct Configuration: Sendable {
        /// The most the cache may hold, in bytes of ``DiskCache/volume`` (keys, values and a
        /// fixed per-entry overhead), or nil for no bound. Default 1 GiB. It holds after every
        /// commit. Ignored with ``EvictionPolicy/none``, which bounds the cache by expiry only.
        public var sizeLimit: Int?
        /// The most entries the cache may hold, or nil for no bound. Ignored with
        /// ``EvictionPolicy/none``.
        public var countLimit: Int?
        /// Which entries go first when the cache is full. Fixed when the cache is created.
        /// Default ``EvictionPolicy/s3FIFO`` for a new cache, and the policy an existing one was
        /// created with (``adoptsStoredPolicy``), so that caches created before S3-FIFO became
        /// the default open as they are. Setting it asks for exactly this policy: an existing
        /// cache of another policy is then an error (unless ``adoptsStoredPolicy`` is set after).
        public var evictionPolicy: EvictionPolicy {
            didSet { adoptsStoredPolicy = false }
        }
        /// When commits reach the disk. Default ``Durability/periodic(_:)`` every second.
        public var durability: Durability
        /// The initial map size: the data file may grow this large before the map must grow.
        /// It costs address space, not disk (the file grows with the data). Default 16 GiB,
        /// reserved up front: growing the map in one process makes every other process remap,
        /// which waits for its longest open transaction, so a map that never has to grow keeps
        /// readers from stalling. Where address space is limited (`ulimit -v`) and 16 GiB cannot
        /// be mapped, the open falls back to 64 MiB and grows from there.
        public var initialMapSize: Int
        /// The largest the map may grow. Default 1 TiB of address space.
        public var maximumMapSize: Int
        /// Values larger than this many bytes are stored in files under `blobs/` beside the
        /// database (default 32 KiB); smaller ones inside it.
        public var blobThreshold: Int
        /// Where "now" comes from when expiry is decided. Default: the system's wall clock.
        public var clock: CacheClock
        /// Where the cache logs what it does on its own (corrupt values, repairs, sweeps).
        public var logger: Logger
        /// What opening does when the data file is damaged beyond what the engine can repair.
        public var onCorruption: CorruptionHandling
        /// How many expired entries each write transaction removes in passing (soonest-expired
        /// first), besides what it must evict to stay within the limits. Default 16.
        public var cullLimit: Int

        /// When true, opening an existing cache adopts the eviction policy it was created with
        /// instead of throwing ``DiskCacheError/incompatibleCache(path:reason:)`` when
        /// ``evictionPolicy`` differs (a new cache still gets ``evictionPolicy``). For tools that
        /// open caches they did not create, such as the `cashews` command. True when no policy
        /// was asked for (the default policy), false once one is.
        public var adoptsStoredPolicy = false

        /// Creates a configuration with the defaults and the default eviction policy: S3-FIFO for
        /// a new cache, the stored one for an existing cache (``adoptsStoredPolicy``).
        public init(
            sizeLimit: Int? = 1 << 30,
            countLimit: Int? = nil,
            durability: Durability = .periodic(.seconds(1)),
            initialMapSize: Int = 16 << 30,
            maximumMapSize: Int = 1 << 40,
            blobThreshold: Int = 32 << 10,
            clock: CacheClock = .system,
            logger: Logger = Logger(label: "swift-cashews.disk-cache"),
            cullLimit: Int = 16,
            onCorruption: CorruptionHandling = .fail
        ) {
            self.init(
                sizeLimit: sizeLimit, countLimit: countLimit, evictionPolicy: .s3FIFO, durability: durability,
                initialMapSize: initialMapSize, maximumMapSize: maximumMapSize, blobThreshold: blobThreshold,
                clock: clock, logger: logger, cullLimit: cullLimit, onCorruption: onCorruption)
            adoptsStoredPolicy = true
        }

        /// Creates a configuration with the defaults and exactly `evictionPolicy`: opening an
        /// existing cache of another policy throws ``DiskCacheError/incompatibleCache(path:reason:)``.
        public init(
            sizeLimit: Int? = 1 << 30,
            countLimit: Int? = nil,
            evictionPolicy: EvictionPolicy,
            durability: Durability = .periodic(.seconds(1)),
            initialMapSize: Int = 16 << 30,
            maximumMapSize: Int = 1 << 40,
            blobThreshold: Int = 32 << 10,
            clock: CacheClock = .system,
            logger: Logger = Logger(label: "swift-cashews.disk-cache"),
            cullLimit: Int = 16,
            onCorruption: CorruptionHandling = .fail
        ) {
            self.onCorruption = onCorruption
            self.sizeLimit = sizeLimit
            self.countLimit = countLimit
            self.evictionPolicy = evictionPolicy
            self.durability = durability
            self.initialMapSize = initialMapSize
            self.maximumMapSize = maximumMapSize
            self.blobThreshold = blobThreshold
            self.clock = clock
            self.logger = logger
            self.cullLimit = cullLimit
        }
    }
}

/// What to do when the data file of a cache directory is damaged (not an LMDB file, a damaged
/// meta page, a truncated file, another LMDB version).
public enum CorruptionHandling: Sendable, Hashable {
    /// Throw ``DiskCacheError/corrupted(path:reason:)`` (the default): nothing is touched.
    case fail
    /// Move the damaged files into `damaged-<time>/` inside the directory, log it, and start an
    /// empty cache. Only for caches no other process has open at the time (they would go on
    /// using the old files): a cache is a cache, so losing it beats failing to start.
    case recreate
}

/// When committed writes are flushed to the disk.
///
/// In every mode a committed write survives the crash of any process (`kill -9` included): LMDB
/// writes committed pages into the file (the operating system's page cache) before the commit
/// returns. The modes differ only in what a crash of the whole machine (power loss, kernel
/// panic) may lose.
public enum Durability: Sendable, Hashable {
    /// Flush every commit (two `fdatasync` calls, ~200 µs here). A machine crash loses nothing
    /// that was committed.
    case full
    /// Flush the data but not the meta page on each commit. A machine crash may lose the last
    /// commit; the file stays consistent.
    case metadataAsync
    /// Never flush on commit; flush when the last flush is older than the interval. The check
    /// runs after each commit and in every round of the maintenance service, so without the
    /// service the last writes of a burst wait for the next write (or the operating system's
    /// own write-back). A machine crash may lose the commits since the last flush. The default,
    /// with one second: commits cost microseconds, not fsyncs.
    ///
    /// No file system keeps the order of an LMDB file's in-place writes (ext4 and XFS do not),
    /// so after a machine crash the file may hold a meta page newer than the pages it points to.
    /// The cache therefore notes every flush durably (the machine's boot id and the last
    /// transaction on the disk, in the file `synced`). An open after another boot that finds
    /// commits newer than the last noted flush walks the whole file in a child process: if the
    /// walk passes, the cache opens and ``DiskCache/check(repair:orphanGrace:)`` rebuilds its
    /// indexes and totals and drops damaged entries; if it fails or faults, the files are moved
    /// to `damaged-…/` and the cache starts empty. Either way it is logged and counted, it needs
    /// no person, and a value that fails its checksum is never returned. See the *Durability*
    /// article for the exact guarantee.
    case periodic(Duration)
    /// Never flush: the operating system writes pages back when it likes. After another boot,
    /// any commit makes the next open verify the file as with ``periodic(_:)``.
    case none

    /// True when commits are not flushed one by one (the modes an open after a machine crash
    /// must verify).
    var defersFlushes: Bool {
        switch self {
        case .full, .metadataAsync: false
        case .periodic, .none: true
        }
    }
}

/// Which entries go first when the cache must make room. Expired entries always go first.
///
/// Chosen when a cache directory is created (``s3FIFO`` unless another is asked for); reopening
/// with another policy throws ``DiskCacheError/incompatibleCache(path:reason:)``, while opening
/// without asking for one keeps the policy the directory has.
public enum EvictionPolicy: String, Sendable, Hashable, CaseIterable {
    /// Evict the entries stored longest ago (python-diskcache's default, and this engine's
    /// default for caches created before S3-FIFO became it).
    case leastRecentlyStored = "least-recently-stored"
    /// Evict the entries read or written longest ago. Reads are recorded in memory and folded
    /// into the eviction order by the next write transaction of the same process (or the
    /// maintenance service), so a read never becomes a write. The order is approximate: reads
    /// not folded yet, and reads dropped when the in-memory log is full, do not count.
    case leastRecentlyUsed = "least-recently-used"
    /// Evict the entries read least often (ties: written longest ago). Hits are counted in memory
    /// and folded like ``leastRecentlyUsed``; a write resets an entry's count.
    case leastFrequentlyUsed = "least-frequently-used"
    /// S3-FIFO (Yang et al., "FIFO queues are all you need for cache eviction", SOSP 2023): new
    /// entries enter a small queue (a tenth of the bound); one that was read while there moves to
    /// the main queue when it reaches the head, the others leave and are remembered in a ghost
    /// list, so that a key written again soon after goes straight to the main queue. The main
    /// queue gives each entry read since its last pass another round. A hit only sets bits that
    /// the next write transaction folds in (no entry moves in the order on a read), and a scan of
    /// keys read once passes through the small queue without pushing out what is read often:
    /// on the ARC paper's traces it keeps 8 to 13 points more hits than least recently used.
    /// See the *Size limits* article for the measured hit ratios. The default, chosen by those
    /// measurements: the best of these policies on both traces at every size but one.
    case s3FIFO = "s3-fifo"
    /// Never evict: the cache is bounded by expiry only.
    case none
}
