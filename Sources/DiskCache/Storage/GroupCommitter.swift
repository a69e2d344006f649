import LMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One write waiting to be committed, with its outcome.
final class WriteRequest: @unchecked Sendable {
    // @unchecked: `body` is only run by the batch leader while the submitting thread is blocked
    // waiting for this request; `error` and `isDone` are guarded by the committer's lock.
    let body: (borrowing Transaction, inout BatchState) throws -> Void
    var error: (any Error)?
    var isDone = false

    init(_ body: @escaping (borrowing Transaction, inout BatchState) throws -> Void) {
        self.body = body
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
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending: [WriteRequest] = []
    private var leaderActive = false
    private let maximumBatch: Int

    init(maximumBatch: Int = 1024) {
        self.maximumBatch = maximumBatch
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
                    leaderActive = true
                    let take = min(pending.count, maximumBatch)
                    let batch = Array(pending.prefix(take))
                    pending.removeFirst(take)
                    pthread_mutex_unlock(mutex)
                    execute(batch)
                    pthread_mutex_lock(mutex)
                    for done in batch { done.isDone = true }
                    leaderActive = false
                    pthread_cond_broadcast(condition)
                } else {
                    pthread_cond_wait(condition, mutex)
                }
            }
            pthread_mutex_unlock(mutex)
            if let error = request.error { throw error }
        }
    }
}
