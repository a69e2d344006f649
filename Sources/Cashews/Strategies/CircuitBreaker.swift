import Foundation

/// The state of a circuit breaker (see ``Cache/circuitBreaker(key:errorRate:period:ttl:halfOpenTTL:minCalls:countsAsFailure:_:)``).
public enum CircuitState: Sendable, Hashable {
    /// Calls pass and count.
    case closed
    /// Calls are refused until the breaker's TTL ends.
    case open
    /// One trial call at a time passes: its success closes the breaker, its failure opens it.
    case halfOpen
}

extension Cache {
    /// Runs `body` unless too many recent calls failed: past `errorRate` percent of failures
    /// in the last `period` (with at least `minCalls` calls), the breaker opens and refuses calls
    /// with ``CashewsError/circuitOpen(key:)`` for `ttl`.
    ///
    /// ```swift
    /// let quote = try await cache.circuitBreaker(key: "quotes-api", errorRate: 50, period: "1m", ttl: "30s",
    ///                                            halfOpenTTL: "10s") { try await api.quote() }
    /// ```
    ///
    /// States (readable with ``circuitState(key:)``), all kept in the backend, so that processes
    /// sharing it share the breaker:
    /// - closed: calls pass; calls and failures count in sliding windows of `period`
    ///   (`<key>:total`, `<key>:fails`, capped at 10 000 calls per window as in cashews).
    /// - open (`<key>:open` for `ttl`): calls are refused. Opening clears the counts.
    /// - half-open (`halfOpenTTL` after the open state, when given): one trial call at a time
    ///   passes (`<key>:trial`), others are refused; a successful trial closes the breaker, a
    ///   failed one opens it again. Without a trial, half-open ends by itself. This replaces
    ///   cashews' coin flip per call, so that the state machine is deterministic.
    ///
    /// - Parameters:
    ///   - key: The breaker's key (one breaker per key).
    ///   - errorRate: The failure percentage that opens the breaker, in 0 < rate < 100.
    ///   - period: The window the rate is measured over.
    ///   - ttl: How long the breaker stays open.
    ///   - halfOpenTTL: How long the half-open state lasts after the open one (nil: none, the
    ///     breaker closes when it stops being open).
    ///   - minCalls: The fewest calls in the window before the breaker may open.
    ///   - countsAsFailure: Which errors count as failures (default: all but cancellation).
    ///   - body: The protected call.
    nonisolated(nonsending) public func circuitBreaker<Value: Sendable>(
        key: String, errorRate: Double, period: TTL, ttl: TTL, halfOpenTTL: TTL? = nil, minCalls: Int = 1,
        countsAsFailure: @Sendable (any Error) -> Bool = { _ in true }, _ body: @Sendable () async throws -> Value
    ) async throws -> Value {
        guard errorRate > 0 && errorRate < 100 else {
            throw CashewsError.invalidArgument("an error rate of \(errorRate)%: use a percentage in 0 < rate < 100")
        }
        let window = try period.duration
        func isFailure(_ error: any Error) -> Bool { !(error is CancellationError) && countsAsFailure(error) }
        nonisolated(nonsending) func open() async throws {
            try await set(key + ":open", true, ttl: ttl)
            if let halfOpenTTL {
                try await set(key + ":half-open", true, ttl: TTL(try ttl.duration + halfOpenTTL.duration))
            }
            try await delete([key + ":total", key + ":fails"])
        }
        switch try await circuitState(key: key) {
        case .open:
            throw CashewsError.circuitOpen(key: key)
        case .halfOpen:
            let token = UUID().uuidString
            guard try await lock(key + ":trial", token: token, ttl: halfOpenTTL ?? ttl) else {
                throw CashewsError.circuitOpen(key: key)
            }
            let value: Value
            do {
                value = try await body()
            } catch {
                // Release first: a failure to open must not leave the trial lock held.
                await release(key + ":trial", token: token)
                if isFailure(error) { try await open() }
                throw error
            }
            // The trial succeeded: close. A backend error here is not a failed trial.
            await release(key + ":trial", token: token)
            try await delete([key + ":half-open", key + ":total", key + ":fails"])
            return value
        case .closed:
            let total = try await sliceIncrement(key + ":total", window: window, limit: 10_000, now: clock.now())
            do {
                return try await body()
            } catch  where isFailure(error) {
                let fails = try await sliceIncrement(key + ":fails", window: window, limit: 10_000, now: clock.now())
                if total >= minCalls && Double(fails) * 100 >= errorRate * Double(total) { try await open() }
                throw error
            }
        }
    }

    /// The state of the circuit breaker of `key`.
    nonisolated(nonsending) public func circuitState(key: String) async throws -> CircuitState {
        if try await exists(key + ":open") { return .open }
        if try await exists(key + ":half-open") { return .halfOpen }
        return .closed
    }
}
