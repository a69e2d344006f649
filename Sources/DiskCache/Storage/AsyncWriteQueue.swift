#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Group commit for async callers: tasks queue their writes and suspend; one writer thread takes
/// everything queued, runs it in one transaction, commits, and resumes every task.
///
/// A task never blocks a thread of the cooperative pool: the thread that waits for LMDB's writer
/// lock and for the disk is this queue's own. The thread starts with the first write and ends
/// after a short idle spell, so an idle cache holds no thread.
final class AsyncWriteQueue: @unchecked Sendable {
    // @unchecked: `pending`, `running` and `execute` are guarded by `mutex`; the writer thread
    // is the only one that runs batches.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeUp = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending: [WriteRequest] = []
    private var running = false
    private var execute: (([WriteRequest]) -> Void)?
    /// The most requests one transaction takes.
    private static let maximumBatch = 1024
    /// How many times per task it resumed the writer thread yields the processor, at most,
    /// waiting for those tasks' next writes before it commits without them.
    private static let yieldsPerResumed = 2

    init() {
        mutex.initialize(to: pthread_mutex_t())
        wakeUp.initialize(to: pthread_cond_t())
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(wakeUp, nil)
    }

    deinit {
        pthread_cond_destroy(wakeUp)
        pthread_mutex_destroy(mutex)
        wakeUp.deallocate()
        mutex.deallocate()
    }

    /// Sets what runs a batch (once, right after the owner is initialised).
    func start(executing execute: @escaping ([WriteRequest]) -> Void) {
        pthread_mutex_lock(mutex)
        self.execute = execute
        pthread_mutex_unlock(mutex)
    }

    /// Queues `request`; its `completion` runs once its batch has committed or failed.
    func enqueue(_ request: WriteRequest) {
        pthread_mutex_lock(mutex)
        pending.append(request)
        if running {
            pthread_cond_signal(wakeUp)
        } else {
            running = true
            let thread = Thread(queue: self)
            thread.start()
        }
        pthread_mutex_unlock(mutex)
    }

    /// The writer thread's loop.
    fileprivate func serve() {
        var resumed = 0
        var spare: [WriteRequest] = []
        pthread_mutex_lock(mutex)
        while true {
            // The tasks the last batch resumed are on their way back with their next writes: give
            // them the processor for a moment, so that they join this batch rather than the next
            // (a commit costs far more than a write).
            var yields = 0
            while pending.count < resumed && yields < resumed * AsyncWriteQueue.yieldsPerResumed {
                pthread_mutex_unlock(mutex)
                sched_yield()
                pthread_mutex_lock(mutex)
                yields += 1
            }
            while pending.isEmpty {
                var deadline = timespec()
                clock_gettime(CLOCK_REALTIME, &deadline)
                deadline.tv_nsec += 20_000_000  // linger 20 ms for more work
                if deadline.tv_nsec >= 1_000_000_000 {
                    deadline.tv_sec += 1
                    deadline.tv_nsec -= 1_000_000_000
                }
                if pthread_cond_timedwait(wakeUp, mutex, &deadline) != 0 && pending.isEmpty {
                    running = false
                    pthread_mutex_unlock(mutex)
                    return
                }
            }
            var batch: [WriteRequest]
            if pending.count <= AsyncWriteQueue.maximumBatch {
                batch = pending  // swapped, not copied: no array per batch
                pending = spare
                spare = []
            } else {
                batch = Array(pending.prefix(AsyncWriteQueue.maximumBatch))
                pending.removeFirst(batch.count)
            }
            let execute = self.execute
            pthread_mutex_unlock(mutex)
            execute?(batch)
            // Every task of the batch resumes in one sweep.
            for request in batch { request.completion?(execute == nil ? CancellationError() : request.error) }
            resumed = batch.count
            batch.removeAll(keepingCapacity: true)
            pthread_mutex_lock(mutex)
            if spare.capacity < batch.capacity { spare = batch }
        }
    }

    /// A detached POSIX thread running ``serve()``.
    private final class Thread {
        let queue: AsyncWriteQueue
        init(queue: AsyncWriteQueue) { self.queue = queue }

        func start() {
            let context = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(
                &thread, nil,
                { context in
                    let owner = Unmanaged<Thread>.fromOpaque(context!).takeRetainedValue()
                    owner.queue.serve()
                    return nil
                }, context)
            precondition(rc == 0, "pthread_create failed: \(rc)")
            pthread_detach(thread)
        }
    }
}

/// Carries a result from the writer thread to the waiting task.
final class ResultBox<R>: @unchecked Sendable {
    // @unchecked: written by the batch (on the writer thread) before the completion that hands it
    // to the task; never touched concurrently.
    var value: R?
}
