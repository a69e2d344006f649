import Synchronization

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
///
/// Shared holds are cheap and do not contend: each thread counts its holds in a stripe of its
/// own (``AtomicStripes``, by ``ThreadSlot``), so readers on different cores never write a common
/// cache line; the only shared line they touch is the resize flag, which they only read. A resize
/// raises the flag, then waits until every stripe is empty; a new shared hold that sees the flag
/// steps back and waits for the resize to end. A thread that already holds the lock never steps
/// back, so it may nest transactions without deadlocking against a waiting resize; resizes are
/// rare and wait for a moment with no transaction open. A per-thread depth tells a resize whether
/// the calling thread itself still holds the lock (then it must not wait for itself).
final class MapLock: @unchecked Sendable {
    // @unchecked: the mutex lives at a stable heap address for the object's life and is only
    // touched through pthread calls, which are thread-safe by contract; the holders are counted
    // in atomics; the depth key is per-thread storage.
    /// Shared holds, per stripe of threads.
    private let holders = AtomicStripes(minimumCount: 64)
    /// Set while a resize waits for, or holds, exclusive access.
    private let resizing = Atomic<Bool>(false)
    /// Serialises resizes, and parks new shared holders while one runs.
    private let exclusive: UnsafeMutablePointer<pthread_mutex_t>
    private let depthKey: pthread_key_t

    /// A shared hold: what ``unlockShared(_:)`` needs to release it.
    struct Hold {
        /// The calling thread's ``ThreadSlot`` (also the read pool's home slot for it).
        let slot: Int
        /// The thread's depth before this hold.
        fileprivate let depth: Int
    }

    init() {
        exclusive = .allocate(capacity: 1)
        exclusive.initialize(to: pthread_mutex_t())
        let rc = pthread_mutex_init(exclusive, nil)
        precondition(rc == 0, "pthread_mutex_init failed: \(rc)")
        depthKey = ThreadSlot.makeKey()
    }

    deinit {
        holders.deallocate()
        pthread_key_delete(depthKey)
        pthread_mutex_destroy(exclusive)
        exclusive.deallocate()
    }

    /// How many shared holds the calling thread has.
    var depth: Int { Int(bitPattern: pthread_getspecific(depthKey)) }

    @inline(__always) private func setDepth(_ value: Int) {
        pthread_setspecific(depthKey, UnsafeRawPointer(bitPattern: value))
    }

    /// Takes a shared hold; waits only while a resize runs (and never when this thread already
    /// holds the lock).
    @inline(__always) func lockShared() -> Hold {
        let held = depth
        let slot = ThreadSlot.current
        while true {
            // Announce the hold, then look for a resize: the resize raises its flag, then looks
            // for holders, so one of the two sees the other (both orderings are sequential).
            holders.addOrdered(1, at: slot)
            if held > 0 || !resizing.load(ordering: .sequentiallyConsistent) { break }
            holders.decrementReleasing(at: slot)
            // Wait for the resize to end: it holds the mutex until then.
            pthread_mutex_lock(exclusive)
            pthread_mutex_unlock(exclusive)
        }
        setDepth(held + 1)
        return Hold(slot: slot, depth: held)
    }

    /// Releases a hold taken by ``lockShared()`` on this thread.
    @inline(__always) func unlockShared(_ hold: Hold) {
        setDepth(hold.depth)
        holders.decrementReleasing(at: hold.slot)
    }

    /// Runs `body` with no transaction open in this process. Returns nil, without waiting, when
    /// the calling thread itself holds the lock (waiting would deadlock).
    func withExclusiveAccess<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R? {
        guard depth == 0 else { return nil }
        pthread_mutex_lock(exclusive)
        defer { pthread_mutex_unlock(exclusive) }
        resizing.store(true, ordering: .sequentiallyConsistent)
        defer { resizing.store(false, ordering: .sequentiallyConsistent) }
        var waits = 0
        for stripe in 0..<holders.count {
            while holders.loadOrdered(at: stripe) != 0 {
                // Transactions are short: yield at first, then sleep, so a long one costs no CPU.
                waits += 1
                if waits < 64 { sched_yield() } else { usleep(100) }
            }
        }
        return try body()
    }

    /// Runs `body` under a shared hold.
    @inline(__always) func withShared<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let hold = lockShared()
        defer { unlockShared(hold) }
        return try body()
    }
}
