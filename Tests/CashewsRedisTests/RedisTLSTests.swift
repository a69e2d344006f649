import Cashews
import CashewsRedisTLS
import Foundation
import TestSupport
import Testing

@testable import CashewsRedis

@Suite("Redis over TLS")
struct RedisTLSTests {
    /// A self-signed certificate for 127.0.0.1 and localhost, and its key, in `directory`.
    private func makeCertificate(in directory: String, name: String = "server") throws -> (cert: String, key: String) {
        let cert = directory + "/\(name).pem"
        let key = directory + "/\(name)-key.pem"
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        openssl.arguments = [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ]
        openssl.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try openssl.run()
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else { throw TestFailure("openssl could not make a certificate") }
        return (cert, key)
    }

    @Test("rediss:// verifies the server against ssl_ca_certs and serves every command; a wrong CA is refused")
    func tls() async throws {
        let directory = TemporaryDirectory.path("tls", create: true)
        let (cert, key) = try makeCertificate(in: directory)
        let (otherCert, _) = try makeCertificate(in: directory, name: "other")
        let tlsPort = try await RedisServer.freePort()
        try await withRedisServer(arguments: [
            "--tls-port", "\(tlsPort)", "--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", cert,
            "--tls-auth-clients", "no",
        ]) { _ in
            Cache.register(.redisTLS)
            let cache = Cache()
            try cache.setup("rediss://127.0.0.1:\(tlsPort)/1?ssl_ca_certs=\(cert)&suppress=false")
            try await cache.set("k", "over TLS", ttl: "1m")
            #expect(try await cache.get("k", as: String.self) == "over TLS")
            #expect(try await cache.increment("n") == 1)

            let untrusting = Cache()
            try untrusting.setup(
                "rediss://127.0.0.1:\(tlsPort)?ssl_ca_certs=\(otherCert)&suppress=false&socket_connect_timeout=1s")
            await #expect {
                _ = try await untrusting.get("k", as: String.self)
            } throws: { error in
                (error as? BackendError)?.kind == .unavailable
            }
        }
    }

    @Test("rediss:// without CashewsRedisTLS, and ssl_ parameters on redis://, are errors that say what to do")
    func misuse() {
        #expect {
            _ = try RedisBackend(url: "rediss://localhost")
        } throws: { error in
            "\(error)".contains("CashewsRedisTLS")
        }
        #expect(throws: CashewsError.self) { _ = try RedisBackend(url: "redis://localhost?ssl_ca_certs=/x.pem") }
        #expect(throws: CashewsError.self) {
            _ = try RedisTransport.tls(url: BackendURL("rediss://localhost?ssl_ca_certs=/nonexistent.pem"))
        }
        #expect(throws: CashewsError.self) {
            _ = try RedisTransport.tls(url: BackendURL("rediss://localhost?ssl_cert_reqs=sometimes"))
        }
    }
}
