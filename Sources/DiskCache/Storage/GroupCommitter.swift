import LMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One write waiting to be committed, with its outcome.
final class WriteRequest: @unchecked Sendable {
    // @unchecked: `body` is only run by the batch leader (or the async writer thread) while its
    // submitter waits (a blocked thread, or a suspended task); `error` and `isDone` are guarded
    // by the committer's lock, and `completion` is set before the request is queued and only
    // called by the writer thread once the batch is done.
    let body: (borrowing Transaction, inout BatchState) throws -> Void
    var error: (any Error)?
    var isDone = false
    /// For async callers: called with the outcome once the batch is done.
    var completion: (((any Error)?) -> Void)?
    /// Signalled when this request is done, or when its writer should take the lead.
    let wakeUp = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(_ body: @escaping (borrowing Transaction, inout BatchState) throws -> Void) {
        self.body = body
        wakeUp.initialize(to: pthread_cond_t())
        pthread_cond_init(wakeUp, nil)
    }

    deinit {
        pthread_cond_destroy(wakeUp)
        wakeUp.deallocate()
    }
}

/// Group commit: concurrent writers of one process share write transactions.
///
/// A writer queues its request; if no batch is running, it becomes the leader, takes every
/// queued request, runs them in one write transaction and commits once; otherwise it waits.
/// Each request keeps its own outcome: an error thrown by one request (a bad argument, a
/// non-integer `increment`) fails that request only. A storage error (disk full, map full past
/// the maximum) aborts the transaction and fails every request of the batch with it.
final class GroupCommitter: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private var pending: [WriteRequest] = []
    private var leaderActive = false
    private let maximumBatch: Int
    private let maximumRounds: Int

    init(maximumBatch: Int = 1024, maximumRounds: Int = 4) {
        self.maximumBatch = maximumBatch
        self.maximumRounds = maximumRounds
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
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
        try withoutActuallyEscaping(body) { escapable in
            let request = WriteRequest(escapable)
            pthread_mutex_lock(mutex)
            pending.append(request)
            while !request.isDone {
                if !leaderActive {
                    // Lead: run what is queued, and keep running what queues up meanwhile for a
                    // few rounds (its writers are asleep; waking one just to lead costs more than
                    // a batch), so that batches grow under load.
                    leaderActive = true
                    var rounds = 0
                    while !pending.isEmpty && (rounds < maximumRounds || !request.isDone) {
                        let take = min(pending.count, maximumBatch)
                        let batch = Array(pending.prefix(take))
                        pending.removeFirst(take)
                        pthread_mutex_unlock(mutex)
                        execute(batch)
                        pthread_mutex_lock(mutex)
                        // Wake exactly the writers whose requests are done.
                        for done in batch {
                            done.isDone = true
                            if done !== request { pthread_cond_signal(done.wakeUp) }
                        }
                        rounds += 1
                    }
                    leaderActive = false
                    // Hand the lead to a waiting writer, if any.
                    if let next = pending.first { pthread_cond_signal(next.wakeUp) }
                } else {
                    pthread_cond_wait(request.wakeUp, mutex)
                }
            }
            pthread_mutex_unlock(mutex)
            if let error = request.error { throw error }
        }
    }
}
