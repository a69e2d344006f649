import LMDB
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What an open found about the end of the last session, and the marker file it read to decide.
struct ShutdownCheck {
    var outcome: LastShutdown
    /// The marker file, open and unlocked once decided (nil when the open did not need it: then
    /// the cache opens it itself).
    var file: SyncMarker.File?
    /// True when `file` held a marker of this boot before the open.
    var markedThisBoot = false
    /// True when this open holds the lock on `file`: it decided, and keeps other processes'
    /// opens waiting until ``DiskCache/finishRecovery(_:)`` has written a marker of this boot
    /// (otherwise an open that comes while this one creates the data file would find a data file
    /// without a marker of this boot, take it for a machine crash's, and move it aside).
    var holdsLock = false
}

/// What an open found about the end of the last session of a cache directory.
enum LastShutdown: Equatable {
    /// Nothing to fear: a new cache, the same boot of the machine (a process crash loses nothing),
    /// or nothing committed since the last flush.
    case safe
    /// A machine crash after unflushed commits, and the file's walk passed: open it, then repair.
    case verified
    /// A machine crash after unflushed commits, and the walk failed: the files were moved aside.
    case discarded(movedTo: String, verification: FileVerification)
}

extension DiskCache {
    /// Before the environment opens: decides whether the last session may have ended in a
    /// machine crash with unflushed commits and, if so, walks the file in a child process; see
    /// ``Durability/periodic(_:)``.
    static func checkLastShutdown(
        _ directory: String, configuration: Configuration, options: Environment.Options
    ) throws -> ShutdownCheck {
        guard configuration.durability.defersFlushes, !Environment.isOpen(atPath: directory) else {
            return ShutdownCheck(outcome: .safe)
        }
        // Kept open afterwards as the cache's marker file.
        let file = try SyncMarker.File(directory: directory)
        // A marker of this boot: a process of this boot flushed (and recovered) before any commit
        // of this boot, and a process crash loses nothing. The common case: no lock, one read.
        if file.isFromCurrentBoot() { return ShutdownCheck(outcome: .safe, file: file, markedThisBoot: true) }
        // Otherwise decide (and verify) under the lock, so that other processes' opens wait, and
        // read again: another open may have recovered the file meanwhile.
        file.lock()
        var decided = false
        defer { if !decided { file.unlock() } }  // a throw unlocks; a decision keeps the lock
        let marker = file.read()
        let markedThisBoot = marker != nil && marker?.bootID == SyncMarker.currentBootID
        let result = { (outcome: LastShutdown) in
            decided = true
            return ShutdownCheck(outcome: outcome, file: file, markedThisBoot: markedThisBoot, holdsLock: true)
        }
        // A new cache, or one another open recovered meanwhile.
        if markedThisBoot || access(directory + "/data.mdb", F_OK) != 0 { return result(.safe) }
        let onDisk = try? Environment.lastCommittedTransaction(atPath: directory)
        if let marker, marker.isClean, let onDisk, onDisk == marker.transaction { return result(.safe) }
        let logger = configuration.logger
        logger.warning(
            "the cache may have been open when the machine stopped (another boot, commits after the last flush): verifying its file in a child process",
            metadata: [
                "directory": "\(directory)",
                "lastFlushedTransaction": "\(marker.map { String($0.transaction) } ?? "none")",
                "transactionOnDisk": "\(onDisk.map(String.init) ?? "unreadable")",
            ])
        let verification = Environment.verifyInChildProcess(
            atPath: directory, mapSize: options.maximumMapSize ?? options.mapSize, timeout: .seconds(600))
        if verification == .passed { return result(.verified) }
        let moved = try moveDamagedFiles(in: directory)
        logger.error(
            "the cache file was damaged by a machine crash; moved its files aside and started empty",
            metadata: ["directory": "\(directory)", "verification": "\(verification)", "movedTo": "\(moved)"])
        return result(.discarded(movedTo: moved, verification: verification))
    }

    /// After the environment opened: repairs a verified file, and notes a flush of this boot.
    func finishRecovery(_ shutdown: ShutdownCheck) throws {
        defer { if shutdown.holdsLock { shutdown.file?.unlock() } }
        guard configuration.durability.defersFlushes else { return }
        switch shutdown.outcome {
        case .safe:
            // A cache that has no marker of this boot gets one now, so that the next open after
            // a machine crash can tell what was flushed.
            if !shutdown.markedThisBoot && syncMarker?.isFromCurrentBoot() != true { try flush() }
        case .verified:
            let report = try check(repair: true)
            counters.uncleanShutdowns.add(1, ordering: .relaxed)
            logger.warning(
                "the cache survived a machine crash: its file passed the walk, and its entries were checked",
                metadata: ["directory": "\(directory)", "report": "\(report)"])
            try flush()
        case .discarded:
            counters.uncleanShutdowns.add(1, ordering: .relaxed)
            try flush()
        }
    }

    /// Inside a write transaction, before it changes anything: if the marker says the file is
    /// flushed, says it no longer is (fsynced), so that a crash before the next flush is noticed.
    @inline(__always)
    func markUnflushed() throws {
        guard let syncMarker, syncMarker.isMarkedClean, let marker = syncMarker.read(), marker.isClean else { return }
        var dirty = marker
        dirty.isClean = false
        try syncMarker.write(dirty)
    }

    /// Flushes the data file and notes durably that every transaction up to the last is on the
    /// disk. The long flush runs outside LMDB's write lock, so that writers of every process go on
    /// meanwhile; then, inside the lock (no commit can slip in), the pages of commits made during
    /// that flush are flushed too — a short flush, usually none — and the marker is written.
    func flushDataAndNote() throws {
        guard let syncMarker, let boot = SyncMarker.currentBootID else {
            try storage { try environment.sync() }
            return
        }
        try storage {
            var flushed = try environment.info().lastTransactionID
            try environment.sync()
            // Commits came during that flush: flush again outside the lock, so that the flush
            // inside it covers only what the (short) second one did not.
            let afterFirst = try environment.info().lastTransactionID
            if afterFirst != flushed {
                flushed = afterFirst
                try environment.sync()
            }
            try environment.write { _ in
                let transaction = try environment.info().lastTransactionID
                if transaction != flushed { try environment.sync() }
                try syncMarker.write(SyncMarker(bootID: boot, transaction: transaction, isClean: true))
            }
        }
    }
}
