import Logging
import ServiceLifecycle

extension DiskCache {
    /// One round of background upkeep: sweeps expired entries (in batches of 1000, at most
    /// `sweepBudget` entries), folds recorded reads into the eviction order (LRU, LFU), clears
    /// stale reader slots, removes orphan blob files every five minutes (see
    /// ``removeOrphanBlobs(olderThan:)``), and flushes when the durability mode calls for it. The
    /// maintenance service runs it periodically; a tool may call it directly.
    @discardableResult
    public func performMaintenance(sweepBudget: Int = 100_000) throws -> MaintenanceReport {
        var report = MaintenanceReport()
        while report.expiredRemoved < sweepBudget {
            let removed = try sweepExpired(limit: min(1000, sweepBudget - report.expiredRemoved))
            report.expiredRemoved += removed
            if removed < 1000 { break }
        }
        if let accessLog, !accessLog.isEmpty {
            try write { _, _ in }  // an empty transaction folds the recorded reads
        }
        report.staleReadersCleared = try reclaimStaleReaders()
        let current = DiskCache.monotonicMilliseconds()
        let last = lastOrphanSweep.load(ordering: .relaxed)
        if current - last >= DiskCache.orphanSweepInterval,
            lastOrphanSweep.compareExchange(expected: last, desired: current, ordering: .relaxed).exchanged
        {
            report.orphanFilesRemoved = try removeOrphanBlobs()
        }
        syncIfDue()
        return report
    }

    /// How often (ms) maintenance looks for orphan blob files.
    static let orphanSweepInterval: Int64 = 5 * 60 * 1000

    /// A ServiceLifecycle service that keeps this cache tidy in the background; see
    /// ``MaintenanceService``.
    public func maintenanceService(interval: Duration = .seconds(1)) -> MaintenanceService {
        MaintenanceService(cache: self, interval: interval)
    }
}

/// What one round of ``DiskCache/performMaintenance(sweepBudget:)`` did.
public struct MaintenanceReport: Sendable, Hashable {
    /// Expired entries removed.
    public var expiredRemoved = 0
    /// Reader slots of dead processes cleared.
    public var staleReadersCleared = 0
    /// Blob files that no entry referenced, removed.
    public var orphanFilesRemoved = 0
}

/// Background upkeep of a ``DiskCache`` as a ServiceLifecycle `Service`: every `interval` it
/// runs ``DiskCache/performMaintenance(sweepBudget:)``. It stops on graceful shutdown or
/// cancellation. Nothing starts on its own: add it to your `ServiceGroup`.
///
/// ```swift
/// let cache = try DiskCache(directory: "/var/cache/app")
/// let group = ServiceGroup(services: [cache.maintenanceService()], logger: logger)
/// try await group.run()
/// ```
///
/// A cache without the service still never returns expired entries and stays within its
/// limits (writes clean up a bounded amount as they go); the service only keeps the file from
/// holding expired entries for long.
public struct MaintenanceService: Service {
    /// The cache it looks after.
    public let cache: DiskCache
    /// The pause between rounds.
    public let interval: Duration

    /// A service for `cache`, running every `interval`.
    public init(cache: DiskCache, interval: Duration = .seconds(1)) {
        precondition(interval > .zero, "the maintenance interval must be positive")
        self.cache = cache
        self.interval = interval
    }

    /// Runs rounds until graceful shutdown or cancellation.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
                do {
                    let report = try await cache.maintenanceRound()
                    if report.expiredRemoved > 0 || report.staleReadersCleared > 0 {
                        cache.logger.debug(
                            "cache maintenance",
                            metadata: [
                                "expired": "\(report.expiredRemoved)", "staleReaders": "\(report.staleReadersCleared)",
                            ])
                    }
                } catch {
                    cache.logger.error("cache maintenance failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
