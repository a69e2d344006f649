import Cashews
import Testing

@testable import CashewsRedis

@Suite("Redis setup URLs")
struct RedisConfigurationTests {
    private func configuration(_ url: String) throws -> RedisConfiguration {
        try RedisConfiguration(url: BackendURL(url))
    }

    @Test("host, port, credentials, database and parameters")
    func full() throws {
        let configuration = try configuration(
            "redis://alice:s%40cret@cache.local:6380/3?client_name=web&max_connections=8&socket_timeout=250ms"
                + "&socket_connect_timeout=2&wait_for_connection_timeout=0.5&retry_backoff=10ms&retry_backoff_max=1s"
                + "&protocol=2&namespace=app:&client_side=true&client_side_size=100")
        #expect(configuration.endpoint == .tcp(host: "cache.local", port: 6380))
        #expect(configuration.username == "alice" && configuration.password == "s@cret")
        #expect(configuration.database == 3 && configuration.clientName == "web" && configuration.poolSize == 8)
        #expect(configuration.commandTimeout == .milliseconds(250) && configuration.connectTimeout == .seconds(2))
        #expect(configuration.waitTimeout == .milliseconds(500) && configuration.backoff == .milliseconds(10))
        #expect(configuration.maximumBackoff == .seconds(1) && configuration.protocolVersion == 2)
        #expect(configuration.namespace == "app:" && configuration.clientSideCaching)
        #expect(configuration.clientSideCacheSize == 100)
    }

    @Test("defaults, a password alone, IPv6 and unix sockets")
    func shapes() throws {
        let plain = try configuration("redis://")
        #expect(plain.endpoint == .tcp(host: "127.0.0.1", port: 6379) && plain.database == 0)
        let password = try configuration("redis://:pw@localhost")
        #expect(password.username == nil && password.password == "pw")
        #expect(try configuration("redis://[::1]:7000/1").endpoint == .tcp(host: "::1", port: 7000))
        let socket = try configuration("unix:///run/redis/redis.sock?db=4&password=x")
        #expect(socket.endpoint == .unix(path: "/run/redis/redis.sock") && socket.database == 4)
        #expect(socket.password == "x")
    }

    @Test(
        "bad URLs are errors that say what is wrong",
        arguments: [
            "redis://host:0", "redis://host:port", "redis://host/db", "redis://host?pool=3",
            "redis://host?max_connections=0", "redis://host?socket_timeout=soon", "redis://host?protocol=4",
            "unix://", "unix://host/x", "redis://host?client_side=maybe", "redis://[::1", "redis://host?ssl_certfile=x",
        ])
    func bad(_ url: String) {
        #expect(throws: CashewsError.self) { _ = try configuration(url) }
    }

    @Test("rediss:// reads as redis:// and asks for TLS")
    func tls() throws {
        let configuration = try configuration("rediss://cache.local:6380/2?ssl_cert_reqs=none")
        #expect(configuration.usesTLS && configuration.endpoint == .tcp(host: "cache.local", port: 6380))
        #expect(configuration.database == 2 && configuration.transport == nil)
    }
}
