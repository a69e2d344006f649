/// A route's backend behind its pipeline of middlewares and command observers (see
/// ``CacheMiddleware`` for the order): every command becomes a ``CacheRequest`` that runs
/// through the middlewares, then the observers, then reaches `base`.
struct MiddlewareBackend: Backend {
    let base: any Backend
    let middlewares: [any CacheMiddleware]
    let observers: [CommandObserver]
    let context: MiddlewareContext

    var storesObjects: Bool { base.storesObjects }
    var throwsFacadeErrors: Bool { base.throwsFacadeErrors }
    var commitsAtomically: Bool { base.commitsAtomically }

    /// Runs `request` through the middlewares from `index` on, then the observers, then
    /// `terminal`.
    nonisolated(nonsending) private func run(
        _ request: CacheRequest, from index: Int, terminal: (CacheRequest) async throws -> CacheResponse
    ) async throws -> CacheResponse {
        guard index < middlewares.count else { return try await observe(request, terminal) }
        let command = request.command
        return try await middlewares[index].handle(request, context: context) { next in
            guard next.command == command else {
                throw MiddlewareError.changedCommand(from: command, to: next.command)
            }
            return try await run(next, from: index + 1, terminal: terminal)
        }
    }

    /// Runs `request` through `terminal` and reports it to the observers that watch its command.
    nonisolated(nonsending) private func observe(
        _ request: CacheRequest, _ terminal: (CacheRequest) async throws -> CacheResponse
    ) async throws -> CacheResponse {
        let watching = observers.filter { $0.commands.contains(request.command) }
        guard !watching.isEmpty else { return try await terminal(request) }
        do {
            let response = try await terminal(request)
            for observer in watching { observer.report(CommandEvent(request: request, outcome: .success(response))) }
            return response
        } catch {
            for observer in watching { observer.report(CommandEvent(request: request, outcome: .failure(error))) }
            throw error
        }
    }

    /// The answer of `request` through the pipeline to the backend, of the shape `extract` reads.
    nonisolated(nonsending) private func answer<T>(_ request: CacheRequest, _ extract: (CacheResponse) -> T?)
        async throws -> T
    {
        let response = try await run(request, from: 0) { try await MiddlewareBackend.perform($0, on: base) }
        guard let value = extract(response) else {
            throw MiddlewareError.unexpectedResponse(command: request.command, response: "\(response)")
        }
        return value
    }

    /// Sends `request` to `backend`.
    nonisolated(nonsending) static func perform(_ request: CacheRequest, on backend: any Backend) async throws
        -> CacheResponse
    {
        switch request {
        case .get(let key): return .value(try await backend.get(key))
        case .getMany(let keys): return .values(try await backend.get(keys))
        case .set(let key, let value, let expiry, let condition):
            return .bool(try await backend.set(key, value, expiry: expiry, condition: condition))
        case .setMany(let entries, let expiry):
            try await backend.set(entries, expiry: expiry)
            return .done
        case .exists(let key): return .bool(try await backend.exists(key))
        case .delete(let key): return .bool(try await backend.delete(key))
        case .deleteMany(let keys): return .count(try await backend.delete(keys))
        case .deleteMatching(let pattern): return .count(try await backend.delete(matching: pattern))
        case .scan(let pattern): return .strings(try await backend.keys(matching: pattern))
        case .increment(let key, let delta, let expiry):
            return .integer(try await backend.increment(key, by: delta, expiry: expiry))
        case .expire(let key, let duration): return .bool(try await backend.expire(key, after: duration))
        case .timeToLive(let key): return .timeToLive(try await backend.timeToLive(key))
        case .modify: return .done  // runs in ``modify(_:_:)``, which holds its closure
        case .count: return .count(try await backend.count())
        case .size(let key): return .count(try await backend.size(of: key))
        case .clear:
            try await backend.clear()
            return .done
        case .ping(let message): return .message(try await backend.ping(message))
        case .getBits(let key, let indexes, let size):
            return .counters(try await backend.getBits(key, at: indexes, size: size))
        case .incrementBits(let key, let indexes, let size, let delta):
            return .counters(try await backend.incrementBits(key, at: indexes, size: size, by: delta))
        case .sliceIncrement(let key, let start, let end, let limit, let expiry):
            return .count(try await backend.sliceIncrement(key, start: start, end: end, limit: limit, expiry: expiry))
        case .addToSet(let key, let members, let expiry):
            return .count(try await backend.addToSet(key, members, expiry: expiry))
        case .removeFromSet(let key, let members): return .count(try await backend.removeFromSet(key, members))
        case .popFromSet(let key, let count): return .strings(try await backend.popFromSet(key, count: count))
        case .members(let key): return .strings(try await backend.members(of: key))
        case .lock(let key, let token, let ttl): return .bool(try await backend.lock(key, token: token, ttl: ttl))
        case .unlock(let key, let token): return .bool(try await backend.unlock(key, token: token))
        case .isLocked(let key): return .bool(try await backend.isLocked(key))
        }
    }

    private static func bool(_ response: CacheResponse) -> Bool? {
        if case .bool(let value) = response { return value }
        return nil
    }

    private static func count(_ response: CacheResponse) -> Int? {
        if case .count(let value?) = response { return value }
        return nil
    }

    private static func strings(_ response: CacheResponse) -> [String]? {
        if case .strings(let value) = response { return value }
        return nil
    }

    private static func counters(_ response: CacheResponse) -> [UInt64]? {
        if case .counters(let value) = response { return value }
        return nil
    }

    private static func done(_ response: CacheResponse) -> Void? {
        if case .done = response { return () }
        return nil
    }

    // MARK: Backend

    nonisolated(nonsending) func get(_ key: String) async throws -> CacheValue? {
        try await answer(.get(key: key)) { response -> CacheValue?? in
            if case .value(let value) = response { return .some(value) }
            return nil
        }
    }

    nonisolated(nonsending) func get(_ keys: [String]) async throws -> [CacheValue?] {
        let values = try await answer(.getMany(keys: keys)) { response -> [CacheValue?]? in
            if case .values(let values) = response { return values }
            return nil
        }
        guard values.count == keys.count else {
            throw MiddlewareError.unexpectedResponse(command: .getMany, response: "\(values.count) values")
        }
        return values
    }

    nonisolated(nonsending) func set(_ key: String, _ value: CacheValue, expiry: Expiry, condition: WriteCondition)
        async throws -> Bool
    {
        try await answer(.set(key: key, value: value, expiry: expiry, condition: condition), MiddlewareBackend.bool)
    }

    nonisolated(nonsending) func set(_ entries: [(key: String, value: CacheValue)], expiry: Expiry) async throws {
        try await answer(.setMany(entries: entries, expiry: expiry), MiddlewareBackend.done)
    }

    nonisolated(nonsending) func exists(_ key: String) async throws -> Bool {
        try await answer(.exists(key: key), MiddlewareBackend.bool)
    }

    nonisolated(nonsending) func delete(_ key: String) async throws -> Bool {
        try await answer(.delete(key: key), MiddlewareBackend.bool)
    }

    nonisolated(nonsending) func delete(_ keys: [String]) async throws -> Int {
        try await answer(.deleteMany(keys: keys), MiddlewareBackend.count)
    }

    nonisolated(nonsending) func delete(matching pattern: GlobPattern) async throws -> Int {
        try await answer(.deleteMatching(pattern: pattern), MiddlewareBackend.count)
    }

    nonisolated(nonsending) func keys(matching pattern: GlobPattern) async throws -> [String] {
        try await answer(.scan(pattern: pattern), MiddlewareBackend.strings)
    }

    nonisolated(nonsending) func increment(_ key: String, by delta: Int64, expiry: Expiry) async throws -> Int64 {
        try await answer(.increment(key: key, delta: delta, expiry: expiry)) { response -> Int64? in
            if case .integer(let value) = response { return value }
            return nil
        }
    }

    nonisolated(nonsending) func expire(_ key: String, after duration: Duration) async throws -> Bool {
        try await answer(.expire(key: key, duration: duration), MiddlewareBackend.bool)
    }

    nonisolated(nonsending) func timeToLive(_ key: String) async throws -> TimeToLive? {
        try await answer(.timeToLive(key: key)) { response -> TimeToLive?? in
            if case .timeToLive(let value) = response { return .some(value) }
            return nil
        }
    }

    nonisolated(nonsending) func modify<R: Sendable>(
        _ key: String, _ body: @escaping @Sendable (inout (bytes: [UInt8], expiry: Expiry)?) throws -> R
    ) async throws -> R {
        var result: R?
        let response = try await run(.modify(key: key), from: 0) { request in
            guard case .modify(let key) = request else { return .done }
            result = try await base.modify(key, body)
            return .done
        }
        if let result { return result }
        guard case .done = response else {
            throw MiddlewareError.unexpectedResponse(command: .modify, response: "\(response)")
        }
        // A middleware answered without passing it on: the body sees an empty entry.
        var entry: (bytes: [UInt8], expiry: Expiry)?
        return try body(&entry)
    }

    nonisolated(nonsending) func count() async throws -> Int {
        try await answer(.count, MiddlewareBackend.count)
    }

    nonisolated(nonsending) func size(of key: String) async throws -> Int? {
        try await answer(.size(key: key)) { response -> Int?? in
            if case .count(let value) = response { return .some(value) }
            return nil
        }
    }

    nonisolated(nonsending) func clear() async throws {
        try await answer(.clear, MiddlewareBackend.done)
    }

    nonisolated(nonsending) func ping(_ message: String) async throws -> String {
        try await answer(.ping(message: message)) { response -> String? in
            if case .message(let value) = response { return value }
            return nil
        }
    }

    func run() async throws { try await base.run() }

    nonisolated(nonsending) func getBits(_ key: String, at indexes: [Int], size: Int) async throws -> [UInt64] {
        try await answer(.getBits(key: key, indexes: indexes, size: size), MiddlewareBackend.counters)
    }

    nonisolated(nonsending) func incrementBits(_ key: String, at indexes: [Int], size: Int, by delta: Int64)
        async throws -> [UInt64]
    {
        try await answer(
            .incrementBits(key: key, indexes: indexes, size: size, delta: delta), MiddlewareBackend.counters)
    }

    nonisolated(nonsending) func sliceIncrement(_ key: String, start: Int64, end: Int64, limit: Int, expiry: Duration)
        async throws -> Int
    {
        try await answer(
            .sliceIncrement(key: key, start: start, end: end, limit: limit, expiry: expiry), MiddlewareBackend.count)
    }

    nonisolated(nonsending) func addToSet(_ key: String, _ members: [String], expiry: Expiry) async throws -> Int {
        try await answer(.addToSet(key: key, members: members, expiry: expiry), MiddlewareBackend.count)
    }

    nonisolated(nonsending) func removeFromSet(_ key: String, _ members: [String]) async throws -> Int {
        try await answer(.removeFromSet(key: key, members: members), MiddlewareBackend.count)
    }

    nonisolated(nonsending) func popFromSet(_ key: String, count: Int) async throws -> [String] {
        try await answer(.popFromSet(key: key, count: count), MiddlewareBackend.strings)
    }

    nonisolated(nonsending) func members(of key: String) async throws -> [String] {
        try await answer(.members(key: key), MiddlewareBackend.strings)
    }

    nonisolated(nonsending) func lock(_ key: String, token: String, ttl: Duration) async throws -> Bool {
        try await answer(.lock(key: key, token: token, ttl: ttl), MiddlewareBackend.bool)
    }

    nonisolated(nonsending) func unlock(_ key: String, token: String) async throws -> Bool {
        try await answer(.unlock(key: key, token: token), MiddlewareBackend.bool)
    }

    nonisolated(nonsending) func isLocked(_ key: String) async throws -> Bool {
        try await answer(.isLocked(key: key), MiddlewareBackend.bool)
    }

    nonisolated(nonsending) func commit(_ writes: [TransactionWrite]) async throws {
        try await base.commit(writes)
    }
}
