public import CashewsRedis
import NIOCore
public import NIOSSL

extension RedisTransport {
    /// TLS as `configuration` says, verifying the server's certificate against `serverHostname`
    /// (by default the URL's host when it is a name; an IP address is checked against the
    /// certificate's IP addresses and sent without SNI).
    ///
    /// - Throws: an `NIOSSLError` when the configuration cannot make a TLS context (a bad
    ///   certificate or key file).
    public static func tls(_ configuration: TLSConfiguration, serverHostname: String? = nil) throws -> RedisTransport {
        let context = try NIOSSLContext(configuration: configuration)
        return RedisTransport("tls(\(configuration.certificateVerification))") { channel, endpoint in
            var hostname = serverHostname
            if hostname == nil, case .tcp(let host, _) = endpoint, !RedisTransport.isIPAddress(host) {
                hostname = host
            }
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: context, serverHostname: hostname))
        }
    }

    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0.isNumber || $0 == "." })
    }
}
