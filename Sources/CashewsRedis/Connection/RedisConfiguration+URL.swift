public import Cashews

extension RedisConfiguration {
    /// The parameters a Redis setup URL takes (cashews' names where it has them).
    static let urlParameters =
        [
            "db", "password", "username", "client_name", "max_connections", "pool_size", "socket_timeout",
            "socket_connect_timeout", "wait_for_connection_timeout", "retry_backoff", "retry_backoff_max", "protocol",
            "namespace", "client_side", "client_side_size",
        ] + tlsParameters

    /// The `rediss://` parameters, read by the `CashewsRedisTLS` module (cashews' names).
    public static let tlsParameters = [
        "ssl_ca_certs", "ssl_cert_reqs", "ssl_certfile", "ssl_keyfile", "ssl_check_hostname",
    ]

    /// The configuration a setup URL describes:
    ///
    /// - `redis://[user[:password]@]host[:port][/db]` (port 6379 by default),
    /// - `unix:///path/to/redis.sock?db=0&password=…`,
    ///
    /// with the parameters `db`, `password`, `username`, `client_name`, `max_connections` (or
    /// `pool_size`, default 4), `socket_timeout` (default 1s), `socket_connect_timeout` (2s),
    /// `wait_for_connection_timeout` (2s), `retry_backoff` (50ms), `retry_backoff_max` (2s),
    /// `protocol` (3 or 2), `namespace` (a prefix of every key), `client_side` (true: a local
    /// tier invalidated by the server) and `client_side_size` (10000). Durations take a unit
    /// (`500ms`, `2s`) or are seconds.
    ///
    /// `rediss://` reads the same, and says ``usesTLS``: the `CashewsRedisTLS` module makes its
    /// ``transport`` from `ssl_ca_certs`, `ssl_cert_reqs`, `ssl_certfile`, `ssl_keyfile` and
    /// `ssl_check_hostname`.
    ///
    /// - Throws: ``CashewsError`` naming the bad part and what it takes.
    public init(url: BackendURL) throws {
        try url.checkNoOtherParameters(accepted: RedisConfiguration.urlParameters)
        let text = url.description
        let afterScheme = text.range(of: "://").map { String(text[$0.upperBound...]) } ?? ""
        let withoutQuery =
            afterScheme.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first
            .map(String.init) ?? ""
        var authority = withoutQuery
        var path = ""
        if let slash = withoutQuery.firstIndex(of: "/") {
            authority = String(withoutQuery[..<slash])
            path = String(withoutQuery[slash...])
        }
        var username: String?
        var password: String?
        if let at = authority.lastIndex(of: "@") {
            let userInfo = String(authority[..<at])
            authority = String(authority[authority.index(after: at)...])
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let user = String(parts[0]).removingPercentEncodingOrSelf
            username = user.isEmpty ? nil : user
            if parts.count > 1 { password = String(parts[1]).removingPercentEncodingOrSelf }
        }
        switch url.scheme {
        case "redis", "rediss":
            self.init(endpoint: try RedisConfiguration.tcpEndpoint(authority, url: text))
            usesTLS = url.scheme == "rediss"
            if !path.isEmpty && path != "/" {
                guard let number = Int(path.dropFirst()), number >= 0 else {
                    throw CashewsError.invalidURL(
                        text, reason: "the path \"\(path)\" is not a database number: write redis://host:6379/0")
                }
                database = number
            }
        case "unix":
            guard authority.isEmpty, path.count > 1 else {
                throw CashewsError.invalidURL(
                    text, reason: "unix:// takes the socket's absolute path: unix:///run/redis/redis.sock")
            }
            self.init(endpoint: .unix(path: path.removingPercentEncodingOrSelf))
        default:
            throw CashewsError.invalidURL(text, reason: "the Redis backend takes redis://, rediss:// or unix:// URLs")
        }
        if !usesTLS, let name = RedisConfiguration.tlsParameters.first(where: { url.parameters[$0] != nil }) {
            throw CashewsError.invalidParameter(name, value: url.parameters[name] ?? "", expected: "a rediss:// URL")
        }
        self.username = url.string("username") ?? username
        self.password = url.string("password") ?? password
        if let database = try url.integer("db", in: 0...Int(Int32.max)) { self.database = database }
        clientName = url.string("client_name")
        if let size = try url.integer("max_connections", in: 1...1024) ?? url.integer("pool_size", in: 1...1024) {
            poolSize = size
        }
        commandTimeout = try RedisConfiguration.positive("socket_timeout", url) ?? commandTimeout
        connectTimeout = try RedisConfiguration.positive("socket_connect_timeout", url) ?? connectTimeout
        waitTimeout = try RedisConfiguration.positive("wait_for_connection_timeout", url) ?? waitTimeout
        backoff = try RedisConfiguration.positive("retry_backoff", url) ?? backoff
        maximumBackoff = try RedisConfiguration.positive("retry_backoff_max", url) ?? maximumBackoff
        if let version = try url.choice("protocol", ["2": 2, "3": 3, "resp2": 2, "resp3": 3]) {
            protocolVersion = version
        }
        namespace = url.string("namespace") ?? ""
        clientSideCaching = try url.boolean("client_side") ?? false
        if let size = try url.integer("client_side_size", in: 1...Int(Int32.max)) { clientSideCacheSize = size }
    }

    private static func tcpEndpoint(_ authority: String, url: String) throws -> Endpoint {
        var host = authority
        var port = 6379
        if authority.hasPrefix("[") {
            // An IPv6 literal: [::1]:6379.
            guard let close = authority.firstIndex(of: "]") else {
                throw CashewsError.invalidURL(url, reason: "an IPv6 host lacks its closing bracket")
            }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let number = Int(rest.dropFirst()), (1...65535).contains(number) else {
                    throw CashewsError.invalidURL(url, reason: "the port is not a number from 1 to 65535")
                }
                port = number
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65535).contains(number) else {
                throw CashewsError.invalidURL(url, reason: "the port is not a number from 1 to 65535")
            }
            port = number
        }
        if host.isEmpty { host = "127.0.0.1" }
        return .tcp(host: host, port: port)
    }

    private static func positive(_ name: String, _ url: BackendURL) throws -> Duration? {
        guard let duration = try url.duration(name) else { return nil }
        guard duration > .zero else {
            throw CashewsError.invalidParameter(name, value: url.string(name) ?? "", expected: "a positive duration")
        }
        return duration
    }
}

extension String {
    fileprivate var removingPercentEncodingOrSelf: String {
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
