import Logging
import Synchronization

/// The state a ``Cache`` keeps for its strategies: in-process single flights, background
/// refreshes and the count of open detection scopes.
@usableFromInline
final class StrategyRuntime: Sendable {
    /// Concurrent computations of one key, shared.
    let flights = SingleFlight()
    /// Background refreshes (hit, dynamic, early).
    let background: BackgroundWork
    /// How many ``Cache/detect(isolation:_:)`` scopes are open on this cache: while none is,
    /// hits skip the task-local lookup.
    @usableFromInline let activeDetections = Atomic<Int>(0)

    init(logger: Logger) {
        background = BackgroundWork(logger: logger)
    }
}
