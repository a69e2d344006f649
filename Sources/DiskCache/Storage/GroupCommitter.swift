import LMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One write waiting to be committed, with its outcome.
///
/// A synchronous writer reuses one request per thread (``GroupCommitter/submit(_:execute:)``):
/// no allocation per write. An async writer makes one per write, with a ``completion``.
final class WriteRequest: @unchecked Sendable {
    // @unchecked: `body` is set by the submitter before the request is queued and only run by the
    // batch leader (or the async writer thread) while its submitter waits (a parked thread, or a
    // suspended task); `error` and `isDone` are written by the leader before it wakes the
    // submitter (the parker orders them), and `completion` is set before the request is queued
    // and only called by the writer thread once the batch is done.
    typealias Body = (borrowing Transaction, inout BatchState) throws -> Void

    private(set) var body: Body
    var error: (any Error)?
    var isDone = false
    /// For async callers: called with the outcome once the batch is done.
    var completion: (((any Error)?) -> Void)?
    /// For a synchronous writer's request: where its thread waits.
    let parker: Parker?

    init(_ body: @escaping Body) {
        self.body = body
        self.parker = nil
    }

    /// A synchronous writer thread's reusable request.
    private init(parker: Parker) {
        self.body = { _, _ in }
        self.parker = parker
    }

    /// Runs the request's body in `txn`.
    @inline(__always)
    func run(_ txn: borrowing Transaction, _ state: inout BatchState) throws { try body(txn, &state) }

    /// Readies the thread's request for a new write of `body`.
    fileprivate func prepare(_ body: @escaping Body) {
        self.body = body
        error = nil
        isDone = false
    }

    /// Drops the body once its write is done (it must not outlive the call that lent it).
    fileprivate func finish() { body = { _, _ in } }

    /// The calling thread's request (made on its first synchronous write, freed with the thread).
    static var forCurrentThread: WriteRequest {
        if let stored = pthread_getspecific(threadKey) {
            return Unmanaged<WriteRequest>.fromOpaque(stored).takeUnretainedValue()
        }
        let request = WriteRequest(parker: Parker())
        pthread_setspecific(threadKey, Unmanaged.passRetained(request).toOpaque())
        return request
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        #if canImport(Glibc)
            let rc = pthread_key_create(&key) { stored in
                if let stored { Unmanaged<WriteRequest>.fromOpaque(stored).release() }
            }
        #else
            let rc = pthread_key_create(&key) { stored in Unmanaged<WriteRequest>.fromOpaque(stored).release() }
        #endif
        precondition(rc == 0, "pthread_key_create failed: \(rc)")
        return key
    }()
}

/// Where one thread sleeps until another wakes it: a counting semaphore (a futex on Linux), so a
/// wake that comes before the wait is not lost, and waking costs no shared lock.
final class Parker: @unchecked Sendable {
    // @unchecked: the semaphore (or mutex and condition) is the synchronisation itself.
    #if canImport(Glibc)
        private let semaphore = UnsafeMutablePointer<sem_t>.allocate(capacity: 1)

        init() { sem_init(semaphore, 0, 0) }

        deinit {
            sem_destroy(semaphore)
            semaphore.deallocate()
        }

        /// Sleeps until ``unpark()`` (returns at once if it came already).
        func park() { while sem_wait(semaphore) != 0 {} }  // EINTR: wait again

        /// Wakes the parked thread, or the next ``park()``.
        func unpark() { sem_post(semaphore) }
    #else
        private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
        private var permits = 0

        init() {
            mutex.initialize(to: pthread_mutex_t())
            condition.initialize(to: pthread_cond_t())
            pthread_mutex_init(mutex, nil)
            pthread_cond_init(condition, nil)
        }

        deinit {
            pthread_cond_destroy(condition)
            pthread_mutex_destroy(mutex)
            condition.deallocate()
            mutex.deallocate()
        }

        /// Sleeps until ``unpark()`` (returns at once if it came already).
        func park() {
            pthread_mutex_lock(mutex)
            while permits == 0 { pthread_cond_wait(condition, mutex) }
            permits -= 1
            pthread_mutex_unlock(mutex)
        }

        /// Wakes the parked thread, or the next ``park()``.
        func unpark() {
            pthread_mutex_lock(mutex)
            permits += 1
            pthread_cond_signal(condition)
            pthread_mutex_unlock(mutex)
        }
    #endif
}

/// Group commit: concurrent writers of one process share write transactions.
///
/// A writer queues its request; if no batch is running, it becomes the leader, takes every
/// queued request, runs them in one write transaction and commits once; otherwise it parks.
/// The leader keeps committing what queued up meanwhile for a few rounds (its writers are
/// asleep; waking one just to lead costs more than a batch), so batches grow with concurrency;
/// then it hands the lead to the first writer still waiting. Before each further round it
/// yields the processor while fewer requests are queued than it woke writers (on a loaded
/// machine the woken writers come back one by one; without the pause each would cost a commit
/// of its own: 1.2 writes per commit with 16 threads here, 5–6 with it). Waking is per thread (a semaphore
/// reused by the thread's every write) and happens outside the committer's lock, so the writers
/// of a batch do not wake into a lock the leader holds.
///
/// Each request keeps its own outcome: an error thrown by one request (a bad argument, a
/// non-integer `increment`) fails that request only. A storage error (disk full, map full past
/// the maximum) aborts the transaction and fails every request of the batch with it.
final class GroupCommitter: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var pending: [WriteRequest] = []
    /// The array the leader swaps in for `pending` (keeps its capacity: no allocation per batch).
    private var spare: [WriteRequest] = []
    private var leaderActive = false
    private let maximumBatch: Int
    private let maximumRounds: Int
    /// How many times per writer it woke the leader yields the processor, at most, waiting for
    /// those writers' next requests before it commits the next batch without them.
    private static let yieldsPerWoken = 2

    init(maximumBatch: Int = 1024, maximumRounds: Int = 4) {
        self.maximumBatch = maximumBatch
        self.maximumRounds = maximumRounds
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        pending.reserveCapacity(64)
        spare.reserveCapacity(64)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` in a shared write transaction; returns when that transaction has committed
    /// (or failed). `execute` runs one batch: it must open the transaction, call every request's
    /// body with error isolation, and commit.
    func submit(
        _ body: (borrowing Transaction, inout BatchState) throws -> Void,
        execute: ([WriteRequest]) -> Void
    ) throws {
        let request = WriteRequest.forCurrentThread
        withoutActuallyEscaping(body) { escapable in
            request.prepare(escapable)
            defer { request.finish() }
            pthread_mutex_lock(mutex)
            pending.append(request)
            if leaderActive {
                pthread_mutex_unlock(mutex)
                request.parker!.park()
                if request.isDone { return }
                // Woken to lead: the lead was handed over (leaderActive stayed true).
                pthread_mutex_lock(mutex)
            } else {
                leaderActive = true
            }
            lead(request, execute: execute)
        }
        if let error = request.error { throw error }
    }

    /// The leader's loop, entered and left holding `mutex` (left unlocked).
    private func lead(_ request: WriteRequest, execute: ([WriteRequest]) -> Void) {
        var rounds = 0
        var woken = 0
        while !pending.isEmpty && (rounds < maximumRounds || !request.isDone) {
            // The writers the last batch woke are on their way back with their next writes: give
            // them the processor for a moment, so that they join this batch rather than the next
            // (a commit costs far more than a write, and each one woken alone costs a commit).
            var yields = 0
            while pending.count < woken && yields < woken * GroupCommitter.yieldsPerWoken {
                pthread_mutex_unlock(mutex)
                sched_yield()
                pthread_mutex_lock(mutex)
                yields += 1
            }
            var batch: [WriteRequest]
            if pending.count <= maximumBatch {
                batch = pending
                pending = spare
                spare = []
            } else {
                batch = Array(pending.prefix(maximumBatch))
                pending.removeFirst(maximumBatch)
            }
            pthread_mutex_unlock(mutex)
            execute(batch)
            // Wake exactly the writers whose requests are done, outside the lock. `isDone` is
            // written before the wake (the parker orders it); nothing of a request is touched after.
            woken = 0
            for done in batch {
                done.isDone = true
                if done !== request {
                    done.parker?.unpark()
                    woken += 1
                }
            }
            batch.removeAll(keepingCapacity: true)
            rounds += 1
            pthread_mutex_lock(mutex)
            if spare.capacity < batch.capacity { spare = batch }
        }
        if let next = pending.first {
            // Hand the lead to the first waiting writer: it runs the queue when it wakes.
            pthread_mutex_unlock(mutex)
            next.parker!.unpark()
        } else {
            leaderActive = false
            pthread_mutex_unlock(mutex)
        }
    }
}
