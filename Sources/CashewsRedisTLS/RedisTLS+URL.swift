public import Cashews
public import CashewsRedis
import NIOSSL

extension BackendRegistration {
    /// `rediss://`: a ``CashewsRedis/RedisBackend`` over TLS, suppressed by default as
    /// `redis://` is. Register it once at start-up: `Cache.register(.redisTLS)`.
    ///
    /// Parameters besides `redis://`'s (cashews' names): `ssl_ca_certs` (a PEM file of the
    /// certificates to trust; default: the system's), `ssl_cert_reqs` (`required`, the default,
    /// or `none`: no verification, for tests only), `ssl_check_hostname` (default true),
    /// `ssl_certfile` and `ssl_keyfile` (a client certificate and its key, PEM).
    public static let redisTLS = BackendRegistration(scheme: "rediss", suppressesByDefault: true) { url, context in
        var configuration = try RedisConfiguration(url: url)
        configuration.transport = try RedisTransport.tls(url: url)
        return RedisBackend(configuration: configuration, logger: context.logger)
    }
}

extension RedisTransport {
    /// The TLS transport the `ssl_*` parameters of a `rediss://` URL describe (see
    /// ``Cashews/BackendRegistration/redisTLS``).
    ///
    /// - Throws: `CashewsError` naming a bad parameter, or a file that cannot be read.
    public static func tls(url: BackendURL) throws -> RedisTransport {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let verification = try url.choice("ssl_cert_reqs", ["required": true, "none": false]), !verification {
            configuration.certificateVerification = .none
        } else if try url.boolean("ssl_check_hostname") == false {
            configuration.certificateVerification = .noHostnameVerification
        }
        if let path = url.string("ssl_ca_certs") {
            configuration.trustRoots = .certificates(try certificates("ssl_ca_certs", path))
        }
        if let path = url.string("ssl_certfile") {
            configuration.certificateChain = try certificates("ssl_certfile", path).map { .certificate($0) }
            guard let key = url.string("ssl_keyfile") else {
                throw CashewsError.invalidParameter(
                    "ssl_certfile", value: path, expected: "ssl_keyfile beside it: the client certificate's key")
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch {
                throw CashewsError.invalidParameter("ssl_keyfile", value: key, expected: "a readable PEM private key")
            }
        }
        do {
            return try tls(configuration)
        } catch {
            throw CashewsError.invalidURL(url.description, reason: "its TLS settings do not work: \(error)")
        }
    }

    private static func certificates(_ name: String, _ path: String) throws -> [NIOSSLCertificate] {
        do {
            return try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw CashewsError.invalidParameter(name, value: path, expected: "a readable PEM file of certificates")
        }
    }
}
