public import Cashews

extension BackendRegistration {
    /// `redis://`: a ``RedisBackend`` over TCP, suppressed by default (as in cashews: failures
    /// read as misses unless the URL says `suppress=false`). Register it once at start-up:
    /// `Cache.register(.redis)` (and `.redisUnixSocket` for `unix://`).
    public static let redis = BackendRegistration(scheme: "redis", suppressesByDefault: true) { url, context in
        try RedisBackend(url: url, context: context)
    }

    /// `unix://`: a ``RedisBackend`` over a unix domain socket (`unix:///run/redis/redis.sock?db=0`).
    public static let redisUnixSocket = BackendRegistration(scheme: "unix", suppressesByDefault: true) {
        url, context in
        try RedisBackend(url: url, context: context)
    }
}

extension RedisBackend {
    /// The backend a setup URL describes (see ``RedisConfiguration/init(url:)``), logging to the
    /// context's logger. Expiry is the server's: the context's clock is not used.
    ///
    /// - Throws: ``CashewsError`` naming a parameter it does not take or a bad value.
    public convenience init(url: BackendURL, context: BackendContext = BackendContext()) throws {
        let configuration = try RedisConfiguration(url: url)
        guard !configuration.usesTLS || configuration.transport != nil else {
            throw CashewsError.invalidURL(
                url.description,
                reason: "rediss:// needs TLS: add the CashewsRedisTLS product and register it with"
                    + " Cache.register(.redisTLS)")
        }
        self.init(configuration: configuration, logger: context.logger)
    }

    /// The backend the setup URL `text` describes.
    public convenience init(url text: String, context: BackendContext = BackendContext()) throws {
        try self.init(url: BackendURL(text), context: context)
    }
}
