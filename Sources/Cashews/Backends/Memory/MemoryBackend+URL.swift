extension MemoryBackend {
    /// The backend `mem://?size=10000&max_bytes=64MiB&check_interval=1s&shards=16&eviction=lru`
    /// describes, on the context's clock. `eviction` is `lru` or `w-tinylfu` (see
    /// ``MemoryEvictionPolicy``; cashews' `eviction_policy` is read as it).
    ///
    /// - Throws: ``CashewsError`` naming a parameter it does not take or a bad value.
    public convenience init(url: BackendURL, context: BackendContext = BackendContext()) throws {
        let url = try url.renaming("eviction_policy", to: "eviction")
        try url.checkNoOtherParameters(accepted: ["size", "max_bytes", "check_interval", "shards", "eviction"])
        guard url.host == nil, url.path.isEmpty || url.path == "/" else {
            throw CashewsError.invalidURL(url.description, reason: "mem:// takes no host or path")
        }
        var configuration = MemoryBackend.Configuration(clock: context.clock)
        if let size = try url.integer("size", in: 1...Int.max) { configuration.maxEntries = size }
        if let bytes = try url.byteSize("max_bytes") { configuration.maxBytes = bytes }
        if let interval = try url.duration("check_interval") { configuration.sweepInterval = interval }
        if let shards = try url.integer("shards", in: 1...1024) { configuration.shards = shards }
        let policies: [String: MemoryEvictionPolicy] = [
            "lru": .leastRecentlyUsed, "least-recently-used": .leastRecentlyUsed, "w-tinylfu": .windowTinyLFU,
            "wtinylfu": .windowTinyLFU, "tinylfu": .windowTinyLFU,
        ]
        if let policy = try url.choice("eviction", policies) { configuration.evictionPolicy = policy }
        self.init(configuration: configuration)
    }
}
