import Synchronization

/// The local memory tier of client-side caching: values read from Redis, kept until the server
/// says they changed.
///
/// Every connection of the pool turns on `CLIENT TRACKING` (default mode) before it serves a
/// command, so the server remembers the keys each connection read and pushes an `invalidate`
/// message (RESP3) on that connection when one changes, expires or is evicted. The tier drops
/// what it is told to, everything when a connection closes (its invalidations would be lost)
/// and everything on a flush.
///
/// No invalidation is lost in the window between a read and its reply: a read first marks its
/// key as being filled (with a fresh token); an invalidation that arrives before the reply is
/// handled removes the mark, so the late reply is returned to its caller but not kept. Entries
/// also keep the key's TTL, so an expired key is never served even before the server's lazy
/// expiry tells us.
final class ClientSideCache: Sendable {
    private enum Entry {
        case value([UInt8], deadline: ContinuousClock.Instant?)
        case filling(UInt64)
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var nextToken: UInt64 = 0
        var enabled = true
        var hits = 0
        var invalidations = 0
        var flushes = 0
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let namespace: String

    init(capacity: Int, namespace: String) {
        self.capacity = capacity
        self.namespace = namespace
    }

    /// How many reads the tier answered, how many invalidations it received, and how many times
    /// it dropped everything.
    var statistics: (hits: Int, invalidations: Int, flushes: Int) {
        state.withLock { ($0.hits, $0.invalidations, $0.flushes) }
    }

    /// Turns tracking on for `connection` (before it serves commands); a RESP2 connection has no
    /// push messages, so the tier turns itself off.
    func track(_ connection: RedisConnection) async throws {
        guard connection.protocolVersion == 3 else {
            state.withLock {
                $0.enabled = false
                $0.entries.removeAll()
            }
            return
        }
        _ = try await connection.send(["CLIENT", "TRACKING", "ON"])
    }

    /// The value of the stored key `key`: from the tier, or from `fetch` (the value and its TTL
    /// in milliseconds: -1 none), kept when no invalidation came in between.
    nonisolated(nonsending) func get(
        _ key: String, fetch: nonisolated(nonsending) () async throws -> (value: [UInt8]?, ttl: Int64)
    ) async throws -> [UInt8]? {
        let now = ContinuousClock.now
        enum Lookup {
            case hit([UInt8])
            case fill(UInt64)
            case bypass
        }
        let lookup: Lookup = state.withLock { state in
            guard state.enabled else { return .bypass }
            if case .value(let value, let deadline)? = state.entries[key], deadline.map({ now < $0 }) ?? true {
                state.hits += 1
                return .hit(value)
            }
            state.nextToken += 1
            if state.entries.count >= capacity, let victim = state.entries.keys.first {
                state.entries[victim] = nil
            }
            state.entries[key] = .filling(state.nextToken)
            return .fill(state.nextToken)
        }
        let token: UInt64
        switch lookup {
        case .hit(let value): return value
        case .bypass: return try await fetch().value
        case .fill(let fill): token = fill
        }
        let fetched: (value: [UInt8]?, ttl: Int64)
        do {
            fetched = try await fetch()
        } catch {
            state.withLock { state in
                if case .filling(token)? = state.entries[key] { state.entries[key] = nil }
            }
            throw error
        }
        state.withLock { state in
            guard case .filling(token)? = state.entries[key] else { return }
            if let value = fetched.value, fetched.ttl != -2 {
                let deadline = fetched.ttl >= 0 ? now + .milliseconds(fetched.ttl) : nil
                state.entries[key] = .value(value, deadline: deadline)
            } else {
                state.entries[key] = nil
            }
        }
        return fetched.value
    }

    /// Drops the stored keys `keys` (this client's own writes, before they are sent).
    func invalidate(stored keys: [String]) {
        state.withLock { state in
            guard state.enabled else { return }
            for key in keys { state.entries[key] = nil }
        }
    }

    /// Drops everything (a connection closed, a flush, `clear`).
    func invalidateAll() {
        state.withLock {
            $0.entries.removeAll()
            $0.flushes += 1
        }
    }

    /// Handles a push message: `invalidate` with its keys, or with null for everything.
    func handle(push message: RESPValue) {
        guard case .push(let parts) = message, parts.count >= 2, parts[0].text == "invalidate" else { return }
        if let keys = parts[1].elements {
            let texts = keys.compactMap(\.text)
            state.withLock { state in
                state.invalidations += 1
                for key in texts { state.entries[key] = nil }
            }
        } else {
            state.withLock { state in
                state.invalidations += 1
                state.entries.removeAll()
            }
        }
    }
}
