/// The bridge from a strategy's `@Sendable` compute closure to the body of a decorated method of
/// an actor (or of a type isolated to a global actor), which the macros expand to:
///
/// ```swift
/// actor Counter {
///     var calls = 0
///     @Cached(ttl: "1m", key: "count:{id}")
///     func count(id: Int) async throws -> Int { calls += 1; return calls }
///     // expands to
///     func count(id: Int) async throws -> Int {
///         return try await Cache.shared.cached(key: "count:\(id)", ttl: "1m", IsolatedBody.on(self) { [self] () async throws -> Int in
///             calls += 1; return calls
///         })
///     }
/// }
/// ```
///
/// The body closure is formed on the actor (it reads and writes the actor's state without
/// `await`), so it is isolated to the actor and every call of it, from any task, runs there:
/// handing it to the strategy keeps the method's isolation. The `isolated` parameter makes the
/// bridge usable only where the caller is on `actor`.
public enum IsolatedBody {
    /// The `@Sendable` form of `body`, a closure formed on `actor`.
    public static func on<A: Actor, Value>(
        _ actor: isolated A, _ body: @escaping () async throws -> Value
    ) -> @Sendable () async throws -> Value {
        let isolated = ActorIsolatedClosure(body: body)
        return { try await isolated.body() }
    }

    /// The `@Sendable` form of the non-throwing `body`, a closure formed on `actor`.
    public static func on<A: Actor, Value>(
        _ actor: isolated A, _ body: @escaping () async -> Value
    ) -> @Sendable () async -> Value {
        let isolated = ActorIsolatedClosure(body: body)
        return { await isolated.body() }
    }
}

/// A closure isolated to an actor: it runs on that actor whoever calls it, so sharing it between
/// tasks is safe (the compiler cannot see the isolation through a plain function type).
struct ActorIsolatedClosure<Body>: @unchecked Sendable {
    let body: Body
}
