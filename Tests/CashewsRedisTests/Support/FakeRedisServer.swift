import NIOCore
import NIOPosix

@testable import CashewsRedis

/// A scripted stand-in for a server: it reads commands and writes whatever `reply` returns for
/// each (raw bytes; nil: no answer at all), for what a real server will not do (malformed or
/// truncated replies, no RESP3, never answering).
final class FakeRedisServer: Sendable {
    /// What to send back for a command (its arguments as text): raw bytes, or nil for silence.
    typealias Reply = @Sendable ([String]) -> [UInt8]?

    private let channel: any Channel
    /// The port it listens on (loopback).
    let port: Int

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    /// A configuration reaching it.
    func configuration() -> RedisConfiguration {
        RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port))
    }

    /// Starts a server answering with `reply`.
    static func start(_ reply: @escaping Reply) async throws -> FakeRedisServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(Handler(reply: reply))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return FakeRedisServer(channel: channel)
    }

    /// Stops listening.
    func stop() async { try? await channel.close() }

    /// The replies a real server gives to a handshake (RESP2: no HELLO), and `OK` to the rest.
    static func handshake(_ command: [String]) -> [UInt8]? {
        switch command.first?.uppercased() {
        case "HELLO": return Array("-ERR unknown command 'HELLO'\r\n".utf8)
        case "CLIENT": return Array(":7\r\n".utf8)
        default: return Array("+OK\r\n".utf8)
        }
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let reply: Reply
        var buffer = ByteBuffer()

        init(reply: @escaping Reply) { self.reply = reply }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = unwrapInboundIn(data)
            buffer.writeBuffer(&incoming)
            while let command = try? RESPParser().next(from: &buffer) {
                let arguments = (command.elements ?? []).compactMap(\.text)
                guard let bytes = reply(arguments) else { continue }
                if bytes.isEmpty {
                    context.close(promise: nil)
                    return
                }
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: bytes)), promise: nil)
            }
        }
    }
}
