import Logging
import Metrics
import Synchronization

/// The background refreshes of a cache (hit, dynamic and early recompute in the background).
///
/// - While ``Cache/run()`` runs, refreshes are jobs of a task group it owns: graceful shutdown
///   cancels the ones under way and drops the queued ones (logged).
/// - Otherwise each refresh runs in a task of its own, tracked so that ``cancelAll()`` (called
///   when `run()` ends, or by ``Cache/cancelBackgroundRefreshes()``) cancels it.
/// - A failed refresh is logged as an error on the cache's logger and counted
///   (`cashews_background_failures`); a cancelled one is logged as a notice. None is lost
///   silently.
final class BackgroundWork: Sendable {
    struct Job: Sendable {
        let key: String
        let work: @Sendable () async throws -> Void
    }

    private struct State {
        var queue: [Job] = []
        var paused = false
        /// Set while `run()` consumes jobs.
        var consumer: AsyncStream<Void>.Continuation?
        var tasks: [Int: Task<Void, Never>] = [:]
        var nextTask = 0
        var pending = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let logger: Logger
    private let failures = Counter(label: "cashews_background_failures")

    init(logger: Logger) {
        self.logger = logger
    }

    /// Starts `work`, a refresh of `key`, in the background.
    func submit(key: String, _ work: @escaping @Sendable () async throws -> Void) {
        let job = Job(key: key, work: work)
        state.withLock { state in
            state.pending += 1
            if state.paused || state.consumer != nil {
                state.queue.append(job)
                if !state.paused { state.consumer?.yield() }
            } else {
                start(job, in: &state)
            }
        }
    }

    /// Starts `job` in a task of its own (no `run()` consumes jobs).
    private func start(_ job: Job, in state: inout State) {
        let id = state.nextTask
        state.nextTask &+= 1
        state.tasks[id] = Task {
            await self.execute(job)
            self.state.withLock { _ = $0.tasks.removeValue(forKey: id) }
        }
    }

    /// Runs `job`, logging its failure.
    private func execute(_ job: Job) async {
        do {
            try Task.checkCancellation()
            try await job.work()
        } catch is CancellationError {
            logger.notice("background refresh cancelled", metadata: ["key": "\(job.key)"])
        } catch {
            failures.increment()
            logger.error("background refresh failed", metadata: ["key": "\(job.key)", "error": "\(error)"])
        }
        finish()
    }

    private func finish() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.pending -= 1
            guard state.pending == 0 else { return [] }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Consumes jobs in a task group until cancelled; then cancels what runs and drops what
    /// waits.
    func run() async {
        let (signals, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        state.withLock { state in
            state.consumer = continuation
            if !state.queue.isEmpty && !state.paused { continuation.yield() }
        }
        await withDiscardingTaskGroup { group in
            for await _ in signals {
                while let job = next() { group.addTask { await self.execute(job) } }
            }
        }
        let (dropped, tasks) = state.withLock { state in
            state.consumer = nil
            defer { state.queue = [] }
            return (state.queue, Array(state.tasks.values))
        }
        continuation.finish()
        for task in tasks { task.cancel() }
        for job in dropped {
            logger.notice("background refresh dropped on shutdown", metadata: ["key": "\(job.key)"])
            finish()
        }
    }

    private func next() -> Job? {
        state.withLock { state in
            guard !state.paused, !state.queue.isEmpty else { return nil }
            return state.queue.removeFirst()
        }
    }

    /// Holds new refreshes in the queue until ``resume()``.
    func pause() { state.withLock { $0.paused = true } }

    /// Starts the held refreshes.
    func resume() {
        state.withLock { state in
            state.paused = false
            if let consumer = state.consumer {
                if !state.queue.isEmpty { consumer.yield() }
            } else {
                let queued = state.queue
                state.queue = []
                for job in queued { start(job, in: &state) }
            }
        }
    }

    /// Cancels the refreshes running in tasks of their own.
    func cancelAll() {
        let tasks = state.withLock { Array($0.tasks.values) }
        for task in tasks { task.cancel() }
    }

    /// Returns once no refresh is queued or running (held ones count as queued).
    func waitUntilIdle() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state in
                if state.pending == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Refreshes queued or running.
    var pendingCount: Int { state.withLock { $0.pending } }
}
