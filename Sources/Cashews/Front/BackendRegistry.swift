import DiskCache
import Foundation
import Synchronization

/// Makes a backend from a setup URL.
public typealias BackendFactory = @Sendable (BackendURL) throws -> any Backend

extension Cache {
    private static let factories = Mutex<[String: BackendFactory]>([
        "mem": Cache.memoryBackend,
        "disk": Cache.diskBackend,
    ])

    /// Registers `factory` for URLs of `scheme` (replacing any factory of that scheme), so that
    /// other modules add backends: `Cache.register(scheme: "redis") { url in … }`.
    public static func register(scheme: String, _ factory: @escaping BackendFactory) {
        factories.withLock { $0[scheme.lowercased()] = factory }
    }

    /// The schemes that have a factory.
    public static var registeredSchemes: [String] { factories.withLock { Array($0.keys).sorted() } }

    /// Makes the backend a setup URL describes (without the facade's own parameters).
    static func makeBackend(_ url: BackendURL) throws -> any Backend {
        guard let factory = factories.withLock({ $0[url.scheme] }) else {
            throw CashewsError.unknownScheme(url.scheme, known: registeredSchemes)
        }
        return try factory(url)
    }

    /// `mem://?size=10000&max_bytes=64MiB&check_interval=1s&shards=16`
    @Sendable static func memoryBackend(_ url: BackendURL) throws -> any Backend {
        try url.checkNoOtherParameters(accepted: ["size", "max_bytes", "check_interval", "shards"])
        guard url.host == nil, url.path.isEmpty || url.path == "/" else {
            throw CashewsError.invalidURL(url.description, reason: "mem:// takes no host or path")
        }
        var configuration = MemoryBackend.Configuration(clock: url.clock)
        if let size = try url.integer("size", in: 1...Int.max) { configuration.maxEntries = size }
        if let bytes = try url.byteSize("max_bytes") { configuration.maxBytes = bytes }
        if let interval = try url.duration("check_interval") { configuration.sweepInterval = interval }
        if let shards = try url.integer("shards", in: 1...1024) { configuration.shards = shards }
        return MemoryBackend(configuration: configuration)
    }

    /// `disk:///path?size_limit=1GB&count_limit=…&eviction=lru&durability=periodic&sync_interval=1s&…`;
    /// `disk://` alone uses ``Cache/defaultDiskDirectory``.
    @Sendable static func diskBackend(_ url: BackendURL) throws -> any Backend {
        try url.checkNoOtherParameters(accepted: [
            "directory", "size_limit", "count_limit", "eviction", "durability", "sync_interval", "blob_threshold",
            "initial_map_size", "max_map_size", "cull_limit", "maintenance_interval",
        ])
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
        let directory = url.string("directory") ?? (url.path.isEmpty ? Cache.defaultDiskDirectory : url.path)
        var configuration = DiskCache.Configuration(clock: url.clock)
        if url.string("size_limit")?.lowercased() == "none" {
            configuration.sizeLimit = nil
        } else if let limit = try url.byteSize("size_limit") {
            configuration.sizeLimit = limit
        }
        if let count = try url.integer("count_limit", in: 1...Int.max) { configuration.countLimit = count }
        let policies: [String: EvictionPolicy] = [
            "lrs": .leastRecentlyStored, "least-recently-stored": .leastRecentlyStored, "lru": .leastRecentlyUsed,
            "least-recently-used": .leastRecentlyUsed, "lfu": .leastFrequentlyUsed,
            "least-frequently-used": .leastFrequentlyUsed, "none": .none,
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
        let maintenance = try url.duration("maintenance_interval") ?? .seconds(1)
        return DiskBackend(
            cache: try DiskCache(directory: directory, configuration: configuration), maintenanceInterval: maintenance)
    }

    /// Where `disk://` without a path keeps its cache: `$XDG_CACHE_HOME/swift-cashews/default`,
    /// or `~/.cache/swift-cashews/default`.
    public static var defaultDiskDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.cache")
        return base + "/swift-cashews/default"
    }
}
