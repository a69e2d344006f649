import Synchronization

/// In-process single flight: concurrent callers of one key share one computation.
///
/// The first caller (the leader) runs the computation in its own (the caller's) task; the others
/// wait for its outcome, which they all get (value or error). A waiter that is cancelled stops
/// waiting and throws `CancellationError`; the computation goes on for the others. When the
/// leader is cancelled, its computation ends with it, and its waiters that are not cancelled
/// start over, one of them leading.
final class SingleFlight: Sendable {
    private typealias Outcome = Result<any Sendable, any Error>

    private struct FlightKey: Hashable {
        let key: String
        let type: ObjectIdentifier
    }

    private struct State {
        var flights: [FlightKey: [Int: CheckedContinuation<Outcome?, Never>]] = [:]
        var cancelled: Set<Int> = []
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    /// How many keys have a computation under way.
    var count: Int { state.withLock { $0.flights.count } }

    /// Runs `body` for `key`, or waits for the run under way for the same key and value type.
    nonisolated(nonsending) func run<Value: Sendable>(_ key: String, _ body: () async throws -> Value) async throws
        -> Value
    {
        let flightKey = FlightKey(key: key, type: ObjectIdentifier(Value.self))
        while true {
            let leads = state.withLock { state in
                guard state.flights[flightKey] == nil else { return false }
                state.flights[flightKey] = [:]
                return true
            }
            if leads {
                let result: Result<Value, any Error>
                do {
                    result = .success(try await body())
                } catch {
                    result = .failure(error)
                }
                let waiters = state.withLock { $0.flights.removeValue(forKey: flightKey) ?? [:] }
                let shared = result.map { $0 as any Sendable }
                for waiter in waiters.values { waiter.resume(returning: shared) }
                return try result.get()
            }
            switch await wait(for: flightKey) {
            case .none:
                continue  // the flight ended before this caller could join: try again
            case .success(let value)?:
                return value as! Value  // the flight key includes the value type
            case .failure(let error)?:
                if error is CancellationError, !Task.isCancelled { continue }  // the leader was cancelled
                throw error
            }
        }
    }

    /// Waits for the outcome of the flight of `flightKey`: nil when it has ended already.
    nonisolated(nonsending) private func wait(for flightKey: FlightKey) async -> Outcome? {
        let id = state.withLock { state in
            defer { state.nextWaiter &+= 1 }
            return state.nextWaiter
        }
        defer { _ = state.withLock { $0.cancelled.remove(id) } }  // a cancellation after the outcome
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let outcome: Outcome?? = state.withLock { state in
                    if state.cancelled.remove(id) != nil { return .some(.failure(CancellationError())) }
                    guard state.flights[flightKey] != nil else { return .some(nil) }
                    state.flights[flightKey]![id] = continuation
                    return .none
                }
                if case .some(let outcome) = outcome { continuation.resume(returning: outcome) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Outcome?, Never>? in
                if let continuation = state.flights[flightKey]?.removeValue(forKey: id) { return continuation }
                state.cancelled.insert(id)
                return nil
            }
            continuation?.resume(returning: .failure(CancellationError()))
        }
    }
}
