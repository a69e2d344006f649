import Cashews

/// The same memory `get` and `cached` hit called from three isolations in one run: the main
/// actor, an actor, and a nonisolated task. A call whose cost depends on where it is made from
/// (an executor hop per call) shows up as a main-actor or actor figure far above the
/// nonisolated one.
///
/// `mem-get` reads plain values (stored with `set` under `plain:<name>`); `cached-hit` reads the
/// envelopes `cached` stored under `<name>`. (A `get` of an envelope would decode the wrong type.)
enum IsolationWorkloads {
    static func run(names: [String], order: [Int], value: [UInt8]) async throws -> Int {
        let cache = Cache()
        cache.setup(MemoryBackend(configuration: .init(maxEntries: nil)))
        for name in names {
            _ = try await cache.cached(key: name, ttl: "1h") { value }
            try await cache.set("plain:" + name, value, ttl: "1h")
        }
        let plain = names.map { "plain:" + $0 }
        let caller = Caller()
        var sink = 0
        for round in 0..<2 {
            // The first round warms up; the second is printed.
            let report = round == 1
            sink &+= try await onMainActor("mem-get@main", report, cache, plain, order, cached: false)
            sink &+= try await caller.calls("mem-get@actor", report, cache, plain, order, cached: false)
            sink &+= try await nonisolated("mem-get@nonisolated", report, cache, plain, order, cached: false)
            sink &+= try await onMainActor("cached-hit@main", report, cache, names, order, cached: true)
            sink &+= try await caller.calls("cached-hit@actor", report, cache, names, order, cached: true)
            sink &+= try await nonisolated("cached-hit@nonisolated", report, cache, names, order, cached: true)
        }
        return order.count.withSink(sink)
    }
}

/// The loop every isolation runs: `get` or a `cached` hit for every index of `order`, on the
/// caller's executor (`nonisolated(nonsending)`: without it, this module's nonisolated async
/// functions run on the global executor, and the main-actor row would measure a nonisolated loop).
nonisolated(nonsending) private func calls(
    _ workload: String, _ report: Bool, _ cache: Cache, _ names: [String], _ order: [Int], cached: Bool
) async throws -> Int {
    var sink = 0
    let clock = ContinuousClock()
    let start = clock.now
    if cached {
        for index in order { sink &+= try await cache.cached(key: names[index], ttl: "1h") { [UInt8]() }.count }
    } else {
        for index in order { sink &+= try await cache.get(names[index], as: [UInt8].self)?.count ?? 0 }
    }
    if report { printRate(workload, operations: order.count, elapsed: clock.now - start) }
    return sink
}

@MainActor
private func onMainActor(
    _ workload: String, _ report: Bool, _ cache: Cache, _ names: [String], _ order: [Int], cached: Bool
) async throws -> Int {
    try await calls(workload, report, cache, names, order, cached: cached)
}

@concurrent
private func nonisolated(
    _ workload: String, _ report: Bool, _ cache: Cache, _ names: [String], _ order: [Int], cached: Bool
) async throws -> Int {
    try await calls(workload, report, cache, names, order, cached: cached)
}

private actor Caller {
    func calls(
        _ workload: String, _ report: Bool, _ cache: Cache, _ names: [String], _ order: [Int], cached: Bool
    ) async throws -> Int {
        // Inherits the actor's isolation: the loop runs on the actor.
        try await isolatedCalls(workload, report, cache, names, order, cached: cached)
    }

    private func isolatedCalls(
        _ workload: String, _ report: Bool, _ cache: Cache, _ names: [String], _ order: [Int], cached: Bool
    ) async throws -> Int {
        var sink = 0
        let clock = ContinuousClock()
        let start = clock.now
        if cached {
            for index in order { sink &+= try await cache.cached(key: names[index], ttl: "1h") { [UInt8]() }.count }
        } else {
            for index in order { sink &+= try await cache.get(names[index], as: [UInt8].self)?.count ?? 0 }
        }
        if report { printRate(workload, operations: order.count, elapsed: clock.now - start) }
        return sink
    }
}

private func printRate(_ workload: String, operations: Int, elapsed: Duration) {
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(
        "\(workload) \(operations) \(String(format: "%.6f", seconds)) \(String(format: "%.0f", Double(operations) / seconds))"
    )
}
