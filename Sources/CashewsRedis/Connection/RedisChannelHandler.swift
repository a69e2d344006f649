import NIOCore
import Synchronization

/// The handler at the end of a connection's pipeline: it writes commands and matches replies to
/// them in order.
///
/// Automatic pipelining: commands submitted while a flush is pending share one write buffer, and
/// their replies resolve, in order, the FIFO of pending promises. The handler is touched only on
/// its channel's event loop (``RedisConnection`` hops there), hence `@unchecked Sendable`.
final class RedisChannelHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Pending {
        let promise: EventLoopPromise<RESPValue>
        let deadline: NIODeadline
        let name: String
    }

    private let parser: RESPParser
    private let onPush: @Sendable (RESPValue) -> Void
    private var context: ChannelHandlerContext?
    private var pending = CircularBuffer<Pending>(initialCapacity: 16)
    private var received: ByteBuffer?
    private var outbound: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var timerDeadline = NIODeadline.distantFuture
    private var closedError: RedisError?

    /// A handler parsing with `parser` that hands push messages to `onPush` (on the event loop).
    init(parser: RESPParser = RESPParser(), onPush: @escaping @Sendable (RESPValue) -> Void) {
        self.parser = parser
        self.onPush = onPush
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound = context.channel.allocator.buffer(capacity: 4096)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failAll(RedisError(.connectionClosed, "the connection to Redis was closed"))
        self.context = nil
    }

    /// A command waiting for the event loop.
    struct Submission: Sendable {
        let command: RESPCommand
        let promise: EventLoopPromise<RESPValue>
        let timeout: TimeAmount
    }

    /// Commands submitted from any thread, drained by one task on the loop: however many
    /// commands arrive while a drain is scheduled, they cost one hop and go out in one write.
    private struct Inbox: ~Copyable {
        var submissions: [Submission] = []
        var scheduled = false
    }

    private let inbox = Mutex(Inbox())

    /// Queues `submissions` (from any thread, in order): they go out with whatever else is
    /// submitted before the loop drains them, and their promises get the replies, or fail
    /// after their timeouts.
    func submit(_ submissions: [Submission], on loop: any EventLoop) {
        let wake = inbox.withLock { inbox in
            inbox.submissions.append(contentsOf: submissions)
            defer { inbox.scheduled = true }
            return !inbox.scheduled
        }
        if wake { loop.execute { self.drain() } }
    }

    /// ``submit(_:on:)`` of one command.
    func submit(_ submission: Submission, on loop: any EventLoop) {
        let wake = inbox.withLock { inbox in
            inbox.submissions.append(submission)
            defer { inbox.scheduled = true }
            return !inbox.scheduled
        }
        if wake { loop.execute { self.drain() } }
    }

    private func drain() {
        let submissions = inbox.withLock { inbox in
            var taken: [Submission] = []
            swap(&taken, &inbox.submissions)
            inbox.scheduled = false
            return taken
        }
        guard let context, closedError == nil, outbound != nil else {
            let error = closedError ?? RedisError(.connectionClosed, "the connection to Redis is closed")
            for submission in submissions { submission.promise.fail(error) }
            return
        }
        let now = NIODeadline.now()
        for submission in submissions {
            submission.command.encode(into: &outbound!)
            pending.append(
                Pending(promise: submission.promise, deadline: now + submission.timeout, name: submission.command.name))
        }
        // One timer at a time, for the earliest deadline; it is not cancelled by replies (that
        // would cost a schedule and a cancel per command) but re-armed when it fires. A command
        // with an earlier deadline than the timer's (a short command timeout after a longer
        // handshake one) moves it earlier.
        if let timer, let newest = pending.last, newest.deadline < timerDeadline {
            timer.cancel()
            self.timer = nil
        }
        if timer == nil { armTimer(context) }
        flush()
    }

    private func flush() {
        guard let context, let buffer = outbound, buffer.readableBytes > 0 else { return }
        outbound = context.channel.allocator.buffer(capacity: max(4096, buffer.readableBytes))
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    private func armTimer(_ context: ChannelHandlerContext) {
        guard let head = pending.first else { return }
        // The earliest deadline of the pending commands (the oldest's, unless timeouts differ).
        let deadline = pending.reduce(head.deadline) { min($0, $1.deadline) }
        timerDeadline = deadline
        timer = context.eventLoop.scheduleTask(deadline: deadline) { self.timerFired() }
    }

    private func timerFired() {
        timer = nil
        timerDeadline = .distantFuture
        // Idle: the next command arms it again.
        guard let context, !pending.isEmpty else { return }
        let now = NIODeadline.now()
        if let expired = pending.first(where: { $0.deadline <= now }) {
            // The reply may still come, but every later reply would then be matched to the
            // wrong command: the connection is given up and reopened by the pool.
            let error = RedisError(
                .timeout,
                "Redis did not answer \(expired.name) within its timeout; raise socket_timeout if the server is slow,"
                    + " or check its load")
            fail(error, context: context)
        } else {
            armTimer(context)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if received == nil || received!.readableBytes == 0 {
            received = incoming
        } else {
            received!.writeBuffer(&incoming)
        }
        do {
            while let value = try parser.next(from: &received!) {
                if case .push = value {
                    onPush(value)
                    continue
                }
                guard let head = pending.popFirst() else {
                    throw RedisError(.protocolViolation, "Redis sent a reply to no command; the connection was closed")
                }
                head.promise.succeed(value)
            }
        } catch let error as RESPError {
            fail(RedisError(.protocolViolation, "\(error); the connection was closed"), context: context)
            return
        } catch {
            fail(error as? RedisError ?? RedisError(.protocolViolation, "\(error)"), context: context)
            return
        }
        if received!.readableBytes == 0 {
            received = nil
        } else if received!.readerIndex > 64 << 10 {
            received!.discardReadBytes()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closedError = closedError ?? RedisError(.connectionClosed, "the connection to Redis closed")
        failAll(closedError!)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(RedisError(.connectionClosed, "the connection to Redis failed: \(error)"), context: context)
    }

    /// Fails every pending command with `error` and closes the channel.
    private func fail(_ error: RedisError, context: ChannelHandlerContext) {
        closedError = closedError ?? error
        failAll(error)
        context.close(promise: nil)
    }

    private func failAll(_ error: RedisError) {
        timer?.cancel()
        timer = nil
        timerDeadline = .distantFuture
        while let head = pending.popFirst() { head.promise.fail(error) }
    }
}
