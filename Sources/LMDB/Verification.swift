import CLMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a walk of a data file in a child process found; see
/// ``Environment/verifyInChildProcess(atPath:mapSize:timeout:)``.
public enum FileVerification: Sendable, Hashable {
    /// Every page reachable from the last committed meta page was read without an error.
    case passed
    /// LMDB reported damage (a page number out of range, a corrupted page, a bad meta page).
    case damaged
    /// The walk faulted or ran past its time: the file is damaged in a way LMDB cannot detect.
    case crashed
    /// No child process could be started (the error number says why); nothing was checked.
    case unavailable(errno: Int32)
}

extension Environment {
    /// True when the calling thread has a transaction of this environment open (a read body,
    /// or a write body, is running on it): a write begun now would wait for itself.
    public var hasTransactionOnCurrentThread: Bool { core.mapLock.depth > 0 }

    /// True when this process has the environment at `path` open.
    public static func isOpen(atPath path: String) -> Bool { EnvironmentRegistry.isOpen(path) }

    /// The id of the last committed transaction of the environment at `path`, read from its meta
    /// pages without the lock file and without reading any data page. Use it before opening an
    /// environment, to compare with a transaction id known to be on the disk.
    public static func lastCommittedTransaction(atPath path: String) throws -> Int {
        var txnid = 0
        try check(cashews_lmdb_last_txnid(path, &txnid), "mdb_env_open", path)
        return txnid
    }

    /// Reads every page reachable from the last committed meta page of the environment at
    /// `path` (the free list, the main database and each named database) in a child process, so
    /// that a damaged file which makes LMDB fault (it keeps no page checksums) ends the child, not
    /// this process. Call it before this process opens the environment. The walk reads the whole
    /// file: its time grows with the file's size.
    public static func verifyInChildProcess(atPath path: String, mapSize: Int, timeout: Duration) -> FileVerification {
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + 1)
        switch cashews_lmdb_verify_in_child(path, mapSize, milliseconds) {
        case 0: return .passed
        case 1: return .damaged
        case 2: return .crashed
        default: return .unavailable(errno: errno)
        }
    }
}
