import CoreMetrics
import Synchronization

/// Reports every command through swift-metrics: cashews' Prometheus middleware.
///
/// - `cashews_operations_latency_seconds` (a timer), dimensions `operation` (the command's
///   cashews name: `get`, `set`, `get_many`…), `backend` (the backend's name) and, when given,
///   `tag`;
/// - `cashews_get_operation` (a counter) of `get` and `get_many`, dimensions `result` (`hit` or
///   `miss`, one per key), `backend` and `tag`.
///
/// ```swift
/// cache.use(MetricsMiddleware(tag: "api"))
/// ```
public struct MetricsMiddleware: CacheMiddleware {
    /// The `tag` dimension of every metric, if any.
    public let tag: String?
    private let factory: any MetricsFactory
    private let made = Made()

    /// The metrics made so far, by dimensions: a command reuses its timer and counters.
    private final class Made: Sendable {
        let timers = Mutex<[String: Timer]>([:])
        let counters = Mutex<[String: Counter]>([:])
    }

    /// A middleware reporting to `factory` (the bootstrapped metrics system by default), with a
    /// `tag` dimension when `tag` is given.
    public init(tag: String? = nil, factory: any MetricsFactory = MetricsSystem.factory) {
        self.tag = tag
        self.factory = factory
    }

    private func dimensions(_ pairs: [(String, String)]) -> [(String, String)] {
        tag.map { pairs + [("tag", $0)] } ?? pairs
    }

    private func timer(_ command: CacheCommand, _ backend: String) -> Timer {
        let id = command.rawValue + "\u{0}" + backend
        return made.timers.withLock { timers in
            if let timer = timers[id] { return timer }
            let timer = Timer(
                label: "cashews_operations_latency_seconds",
                dimensions: dimensions([("operation", command.rawValue), ("backend", backend)]), factory: factory)
            timers[id] = timer
            return timer
        }
    }

    private func counter(hit: Bool, _ backend: String) -> Counter {
        let id = (hit ? "hit\u{0}" : "miss\u{0}") + backend
        return made.counters.withLock { counters in
            if let counter = counters[id] { return counter }
            let counter = Counter(
                label: "cashews_get_operation",
                dimensions: dimensions([("result", hit ? "hit" : "miss"), ("backend", backend)]), factory: factory)
            counters[id] = counter
            return counter
        }
    }

    /// Times the command; counts the hits and misses of reads.
    nonisolated(nonsending) public func handle(
        _ request: CacheRequest, context: MiddlewareContext, next: (CacheRequest) async throws -> CacheResponse
    ) async throws -> CacheResponse {
        let start = ContinuousClock.now
        let response: CacheResponse
        do {
            response = try await next(request)
        } catch {
            record(start, request.command, context.backend)
            throw error
        }
        record(start, request.command, context.backend)
        switch response {
        case .value(let value):
            counter(hit: value != nil, context.backend).increment()
        case .values(let values):
            let hits = values.count { $0 != nil }
            if hits > 0 { counter(hit: true, context.backend).increment(by: hits) }
            if hits < values.count { counter(hit: false, context.backend).increment(by: values.count - hits) }
        default:
            break
        }
        return response
    }

    private func record(_ start: ContinuousClock.Instant, _ command: CacheCommand, _ backend: String) {
        let elapsed = ContinuousClock.now - start
        let (seconds, attoseconds) = elapsed.components
        timer(command, backend).recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
