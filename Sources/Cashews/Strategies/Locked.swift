import Foundation

extension Cache {
    /// Runs `body` while holding the distributed lock `<key>:lock` (a mutex across every process
    /// that shares the backend); does not cache.
    ///
    /// ```swift
    /// try await cache.locked(key: "nightly-report", ttl: "10m") { try await buildReport() }
    /// ```
    ///
    /// - Parameters:
    ///   - key: Names the lock (the lock key is `<key>:lock`, routed as `key` is).
    ///   - ttl: The longest the lock is held: it expires then even if its holder died.
    ///   - wait: When true (the default), wait for a held lock; when false, throw
    ///     ``CashewsError/locked(key:)`` at once.
    ///   - timeout: How long to wait, on ``Cache/clock`` (default: `ttl`); then
    ///     ``CashewsError/lockTimeout(key:waited:)``.
    ///   - checkInterval: The pause between attempts while waiting (default 5 ms; cashews
    ///     busy-loops).
    ///   - body: The work done under the lock.
    nonisolated(nonsending) public func locked<Value: Sendable>(
        key: String, ttl: TTL, wait: Bool = true, timeout: TTL? = nil, checkInterval: TTL = .milliseconds(5),
        _ body: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await holdingLock(
            key + ":lock", ttl: ttl, wait: wait, timeout: timeout?.duration, checkInterval: checkInterval.duration, body
        )
    }

    /// Takes the lock `lockKey` with a fresh token, polling, runs `body`, then releases the
    /// lock (only if still held by this token).
    nonisolated(nonsending) func holdingLock<Value>(
        _ lockKey: String, ttl: TTL, wait: Bool, timeout: Duration?, checkInterval: Duration,
        _ body: () async throws -> Value
    ) async throws -> Value {
        let token = UUID().uuidString
        let limit = try timeout ?? ttl.duration
        // The wait is timed on the cache's clock, the clock the lock's TTL runs on.
        let start = clock.now()
        while try await !lock(lockKey, token: token, ttl: ttl) {
            guard wait else { throw CashewsError.locked(key: lockKey) }
            guard clock.now() - start < limit.milliseconds else {
                throw CashewsError.lockTimeout(key: lockKey, waited: limit)
            }
            try await Task.sleep(for: checkInterval)
        }
        let result: Result<Value, any Error>
        do {
            result = .success(try await body())
        } catch {
            result = .failure(error)
        }
        await release(lockKey, token: token)
        return try result.get()
    }

    /// Releases the lock `lockKey` if `token` holds it; a failure is logged (the lock expires
    /// after its TTL anyway).
    nonisolated(nonsending) func release(_ lockKey: String, token: String) async {
        do {
            try await unlock(lockKey, token: token)
        } catch {
            logger.warning(
                "could not release a lock; it expires after its TTL",
                metadata: ["key": "\(lockKey)", "error": "\(error)"])
        }
    }
}
