#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A process-local reader/writer lock that guards the memory map.
///
/// Every transaction holds it shared for its whole life; changing the map size (growing it, or
/// adopting another process's growth) holds it exclusively, because remapping invalidates every
/// pointer into the old map and LMDB itself does not check for live read transactions.
/// Shared holders are preferred (the glibc default), so a thread may nest transactions without
/// deadlocking against a waiting resize; resizes are rare and wait for a moment with no
/// transaction open. A per-thread depth tells a resize whether the calling thread itself still
/// holds the lock (then it must not wait for itself).
final class MapLock: @unchecked Sendable {
    // @unchecked: the pthread_rwlock_t lives at a stable heap address for the object's life and
    // is only touched through pthread calls, which are thread-safe by contract; the depth key is
    // per-thread storage.
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>
    private var depthKey = pthread_key_t()

    init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        var rc = pthread_rwlock_init(lock, nil)
        precondition(rc == 0, "pthread_rwlock_init failed: \(rc)")
        rc = pthread_key_create(&depthKey, nil)
        precondition(rc == 0, "pthread_key_create failed: \(rc)")
    }

    deinit {
        pthread_key_delete(depthKey)
        pthread_rwlock_destroy(lock)
        lock.deallocate()
    }

    /// How many shared holds the calling thread has.
    var depth: Int { Int(bitPattern: pthread_getspecific(depthKey)) }

    @inline(__always) private func setDepth(_ value: Int) {
        pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: value))
    }

    @inline(__always) func lockShared() {
        pthread_rwlock_rdlock(lock)
        setDepth(depth + 1)
    }

    @inline(__always) func unlockShared() {
        setDepth(depth - 1)
        pthread_rwlock_unlock(lock)
    }

    /// Runs `body` with no transaction open in this process. Returns nil, without waiting, when
    /// the calling thread itself holds the lock (waiting would deadlock).
    func withExclusiveAccess<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R? {
        guard depth == 0 else { return nil }
        pthread_rwlock_wrlock(lock)
        defer { pthread_rwlock_unlock(lock) }
        return try body()
    }
}
