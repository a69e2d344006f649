public import Cashews
import DiskCache
import Foundation

extension BackendRegistration {
    /// `disk://`: a ``DiskBackend``. Register it once at start-up: `Cache.register(.disk)`.
    public static let disk = BackendRegistration(scheme: "disk") { url, context in
        try DiskBackend(url: url, context: context)
    }
}

extension DiskBackend {
    /// The parameters `disk://` takes.
    static let urlParameters = [
        "directory", "size_limit", "count_limit", "eviction", "durability", "sync_interval", "blob_threshold",
        "initial_map_size", "max_map_size", "cull_limit", "maintenance_interval",
    ]

    /// python-diskcache parameters whose meaning does not carry over, with what to do instead.
    static let unsupportedParameters = [
        "shards": "the LMDB engine is one store that every process shares, with no shards to choose: drop it",
        "timeout":
            "commands never wait long for a lock (one writer at a time, readers never block): drop it, or"
            + " bound the caller with a task deadline",
        "statistics": "statistics are always kept: read them with DiskCache.statistics(), and drop the parameter",
    ]

    /// Opens the cache
    /// `disk:///path?size_limit=1GB&count_limit=…&eviction=lru&durability=periodic&sync_interval=1s&…`
    /// describes (`disk://` alone: ``DiskBackend/defaultDirectory``), deciding expiry on the
    /// context's clock and logging to its logger.
    ///
    /// - Throws: ``CashewsError`` naming a parameter it does not take or a bad value;
    ///   ``BackendError`` when the cache cannot be opened.
    public convenience init(url: BackendURL, context: BackendContext = BackendContext()) throws {
        try url.checkNone(of: DiskBackend.unsupportedParameters)
        let url = try url.renaming("eviction_policy", to: "eviction")
        try url.checkNoOtherParameters(accepted: DiskBackend.urlParameters)
        guard url.host == nil else {
            throw CashewsError.invalidURL(
                url.description, reason: "disk:// takes a path, not a host: write disk:///absolute/path (three slashes)"
            )
        }
        if url.path == "/" && url.string("directory") == nil {
            throw CashewsError.invalidURL(
                url.description,
                reason: "disk:/// names the root directory: write disk:// for the default directory,"
                    + " or disk:///absolute/path")
        }
        let directory = url.string("directory") ?? (url.path.isEmpty ? DiskBackend.defaultDirectory : url.path)
        let configuration = try DiskBackend.configuration(url, context: context)
        let maintenance = try url.duration("maintenance_interval") ?? .seconds(1)
        let cache = try DiskBackend.translate { try DiskCache(directory: directory, configuration: configuration) }
        self.init(cache: cache, maintenanceInterval: maintenance)
    }

    /// Opens the cache the setup URL `text` describes (see ``init(url:context:)``).
    public convenience init(url text: String, context: BackendContext = BackendContext()) throws {
        try self.init(url: BackendURL(text), context: context)
    }

    private static func configuration(_ url: BackendURL, context: BackendContext) throws -> DiskCache.Configuration {
        var configuration = DiskCache.Configuration(clock: context.clock, logger: context.logger)
        if url.string("size_limit")?.lowercased() == "none" {
            configuration.sizeLimit = nil
        } else if let limit = try url.byteSize("size_limit") {
            configuration.sizeLimit = limit
        }
        if let count = try url.integer("count_limit", in: 1...Int.max) { configuration.countLimit = count }
        let policies: [String: EvictionPolicy] = [
            "lrs": .leastRecentlyStored, "least-recently-stored": .leastRecentlyStored, "lru": .leastRecentlyUsed,
            "least-recently-used": .leastRecentlyUsed, "lfu": .leastFrequentlyUsed,
            "least-frequently-used": .leastFrequentlyUsed, "s3-fifo": .s3FIFO, "s3fifo": .s3FIFO, "none": .none,
        ]
        if let policy = try url.choice("eviction", policies) { configuration.evictionPolicy = policy }
        let interval = try url.duration("sync_interval") ?? .seconds(1)
        let modes: [String: Durability] = [
            "full": .full, "metadata": .metadataAsync, "periodic": .periodic(interval), "none": .none,
        ]
        if let mode = try url.choice("durability", modes) { configuration.durability = mode }
        if url.parameters["sync_interval"] != nil, case .periodic = configuration.durability {
            configuration.durability = .periodic(interval)
        }
        if let threshold = try url.byteSize("blob_threshold") { configuration.blobThreshold = threshold }
        if let size = try url.byteSize("initial_map_size") { configuration.initialMapSize = max(size, 64 << 10) }
        if let size = try url.byteSize("max_map_size") { configuration.maximumMapSize = size }
        if let limit = try url.integer("cull_limit") { configuration.cullLimit = limit }
        return configuration
    }

    /// Where `disk://` without a path keeps its cache: `$XDG_CACHE_HOME/swift-cashews/default`,
    /// or `~/.cache/swift-cashews/default`.
    public static var defaultDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        return base + "/swift-cashews/default"
    }
}

extension Cache {
    /// Where `disk://` without a path keeps its cache (``DiskBackend/defaultDirectory``).
    public static var defaultDiskDirectory: String { DiskBackend.defaultDirectory }
}
