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
    /// True once this cache has tagged a key, or has seen the backend's marker that some cache
    /// (in any process) did: from then on, overwriting or deleting a key also removes its tags
    /// (until then, there is nothing to look up).
    let tagsInUse = Atomic<Bool>(false)
    /// True once this cache has written the backend's tags-in-use marker.
    let tagMarkerWritten = Atomic<Bool>(false)
    /// When (milliseconds on the cache's clock) this cache last looked for the marker; `.min`
    /// before the first look.
    let tagMarkerCheckedAt = Atomic<Int64>(.min)
    /// Tag templates registered for key templates (``Cache/registerTag(_:forKeys:)``).
    let registeredTags = Mutex<[(tag: KeyTemplate, keys: KeyTemplate)]>([])

    init(logger: Logger) {
        background = BackgroundWork(logger: logger)
    }
}
