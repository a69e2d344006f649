#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The engine's thread for work that can take milliseconds and must not hold a thread of the
/// cooperative pool: maintenance rounds, pattern scans, reads and writes of large blob files.
///
/// Jobs run one at a time, in order, on a POSIX thread of its own (writes that commit go to the
/// writer thread of ``AsyncWriteQueue`` instead). The thread starts with the first job and ends
/// after a short idle spell, so an idle process holds no thread for it. One thread serves every
/// cache of the process: the work it runs waits for the disk, not for the CPU.
final class EngineThread: @unchecked Sendable {
    // @unchecked: `pending` and `running` are guarded by `mutex`; jobs run on the thread only.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wakeUp = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending: [() -> Void] = []
    private var running = false

    /// The thread every cache of this process shares.
    static let shared = EngineThread()

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

    /// Runs `body` on the engine thread and returns its result; the calling task suspends
    /// meanwhile (its thread goes back to the pool) and resumes on its own executor.
    func run<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            enqueue { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Queues `job` to run on the engine thread, without waiting for it (a periodic flush that
    /// a writer should not wait for).
    func submit(_ job: @escaping @Sendable () -> Void) { enqueue(job) }

    /// Queues `job`.
    private func enqueue(_ job: @escaping () -> Void) {
        pthread_mutex_lock(mutex)
        pending.append(job)
        if running {
            pthread_cond_signal(wakeUp)
        } else {
            running = true
            let context = Unmanaged.passRetained(self).toOpaque()
            var thread = pthread_t()
            let rc = pthread_create(
                &thread, nil,
                { context in
                    Unmanaged<EngineThread>.fromOpaque(context!).takeRetainedValue().serve()
                    return nil
                }, context)
            precondition(rc == 0, "pthread_create failed: \(rc)")
            pthread_detach(thread)
        }
        pthread_mutex_unlock(mutex)
    }

    /// The thread's loop: runs jobs until none has come for 20 ms.
    private func serve() {
        pthread_mutex_lock(mutex)
        while true {
            while pending.isEmpty {
                var deadline = timespec()
                clock_gettime(CLOCK_REALTIME, &deadline)
                deadline.tv_nsec += 20_000_000
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
            let jobs = pending
            pending.removeAll(keepingCapacity: true)
            pthread_mutex_unlock(mutex)
            for job in jobs { job() }
            pthread_mutex_lock(mutex)
        }
    }
}
