import CLMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An error returned by LMDB or by the operating system underneath it.
///
/// Every return code of every `mdb_*` call passes through one chokepoint that turns a non-zero
/// code into an `LMDBError`, so the code, the operation that failed and a message that says what
/// to do are always kept together:
///
/// ```swift
/// do {
///     try environment.write { txn in try txn.put(value, forKey: key, in: db) }
/// } catch let error as LMDBError where error.code == .mapFull {
///     // grow the map and retry, or evict
/// }
/// ```
public struct LMDBError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong: an LMDB error code or an `errno` value.
    public let code: Code
    /// The LMDB call that failed, such as `"mdb_env_open"` or `"mdb_put"`.
    public let operation: String
    /// Extra context such as the path involved; empty when there is none.
    public let context: String

    /// Creates an error from a code, the operation that returned it and optional context.
    public init(code: Code, operation: String, context: String = "") {
        self.code = code
        self.operation = operation
        self.context = context
    }

    /// LMDB's own text for the code (`mdb_strerror`).
    public var message: String {
        String(cString: mdb_strerror(code.rawValue))
    }

    /// A full sentence: operation, context, LMDB's message, and what to do about it.
    public var description: String {
        var text = "\(operation) failed"
        if !context.isEmpty { text += " (\(context))" }
        text += ": \(message) [code \(code.rawValue)]"
        if let advice = code.advice { text += ". \(advice)" }
        return text
    }
}

extension LMDBError {
    /// An LMDB return code or an operating-system `errno` value.
    ///
    /// Compare with the static constants: `error.code == .notFound`. Codes that LMDB does not
    /// name (other `errno` values) are kept as they are.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The raw return code: negative for LMDB's own codes, positive for `errno` values.
        public let rawValue: Int32

        /// Wraps a raw return code.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `MDB_KEYEXIST`: the key/data pair already exists (a no-overwrite put found a value).
        public static let keyExists = Code(rawValue: MDB_KEYEXIST)
        /// `MDB_NOTFOUND`: no matching key or no more items.
        public static let notFound = Code(rawValue: MDB_NOTFOUND)
        /// `MDB_PAGE_NOTFOUND`: a requested page was not found (the file is damaged).
        public static let pageNotFound = Code(rawValue: MDB_PAGE_NOTFOUND)
        /// `MDB_CORRUPTED`: a located page was of the wrong type (the file is damaged).
        public static let corrupted = Code(rawValue: MDB_CORRUPTED)
        /// `MDB_PANIC`: the environment had a fatal error and must be closed.
        public static let panic = Code(rawValue: MDB_PANIC)
        /// `MDB_VERSION_MISMATCH`: the environment was made by another LMDB version.
        public static let versionMismatch = Code(rawValue: MDB_VERSION_MISMATCH)
        /// `MDB_INVALID`: the file is not an LMDB data file.
        public static let invalid = Code(rawValue: MDB_INVALID)
        /// `MDB_MAP_FULL`: the environment's map size was reached.
        public static let mapFull = Code(rawValue: MDB_MAP_FULL)
        /// `MDB_DBS_FULL`: the maximum number of named databases was reached.
        public static let databasesFull = Code(rawValue: MDB_DBS_FULL)
        /// `MDB_READERS_FULL`: every reader slot of the lock file is taken.
        public static let readersFull = Code(rawValue: MDB_READERS_FULL)
        /// `MDB_TLS_FULL`: too many thread-local keys (not expected with `MDB_NOTLS`).
        public static let tlsFull = Code(rawValue: MDB_TLS_FULL)
        /// `MDB_TXN_FULL`: the transaction has too many dirty pages.
        public static let transactionFull = Code(rawValue: MDB_TXN_FULL)
        /// `MDB_CURSOR_FULL`: the cursor stack is too deep (internal error).
        public static let cursorFull = Code(rawValue: MDB_CURSOR_FULL)
        /// `MDB_PAGE_FULL`: a page has no room (internal error).
        public static let pageFull = Code(rawValue: MDB_PAGE_FULL)
        /// `MDB_MAP_RESIZED`: another process grew the map beyond this process's mapping.
        public static let mapResized = Code(rawValue: MDB_MAP_RESIZED)
        /// `MDB_INCOMPATIBLE`: the operation does not fit the database's flags.
        public static let incompatible = Code(rawValue: MDB_INCOMPATIBLE)
        /// `MDB_BAD_RSLOT`: a reader slot was reused wrongly (prevented by `MDB_NOTLS`).
        public static let badReaderSlot = Code(rawValue: MDB_BAD_RSLOT)
        /// `MDB_BAD_TXN`: the transaction must be aborted (it failed earlier) or is read-only.
        public static let badTransaction = Code(rawValue: MDB_BAD_TXN)
        /// `MDB_BAD_VALSIZE`: a key is empty or too long, or a value has the wrong size.
        public static let badValueSize = Code(rawValue: MDB_BAD_VALSIZE)
        /// `MDB_BAD_DBI`: the database handle changed or is not valid.
        public static let badDatabase = Code(rawValue: MDB_BAD_DBI)

        /// `ENOENT`: the path does not exist.
        public static let noSuchFile = Code(rawValue: ENOENT)
        /// `EACCES`: permission denied.
        public static let permissionDenied = Code(rawValue: EACCES)
        /// `ENOSPC`: the disk is full.
        public static let noSpace = Code(rawValue: ENOSPC)
        /// `EIO`: an I/O error from the device.
        public static let ioError = Code(rawValue: EIO)
        /// `ENOMEM`: out of memory or address space.
        public static let outOfMemory = Code(rawValue: ENOMEM)
        /// `EINVAL`: an invalid parameter (for example a map resize while a transaction is open).
        public static let invalidArgument = Code(rawValue: EINVAL)
        /// `EROFS`: the file system is read-only.
        public static let readOnlyFileSystem = Code(rawValue: EROFS)
        /// `EFBIG`: a file would grow past the process's file-size limit or the file system's.
        public static let fileTooLarge = Code(rawValue: EFBIG)
        /// `EAGAIN`: the environment is locked by another process (only with exclusive locks).
        public static let tryAgain = Code(rawValue: EAGAIN)

        /// True for codes that mean the data file is damaged or is not an LMDB file.
        public var isCorruption: Bool {
            self == .corrupted || self == .pageNotFound || self == .invalid || self == .panic
                || self == .versionMismatch
        }

        /// The symbolic name of the code, e.g. `MDB_MAP_FULL` or `errno 13`.
        public var description: String {
            if let name = Code.names[rawValue] { return name }
            return "errno \(rawValue)"
        }

        /// What the user can do about this code, or nil when there is no general advice.
        public var advice: String? {
            switch self {
            case .mapFull:
                return "The map size is the most the data file may hold: raise the maximum map size"
                    + " (or let the environment grow), or store less"
            case .readersFull:
                return "Every reader slot is taken: raise maxReaders when the environment is first"
                    + " created, or call readerCheck() to clear slots left by dead processes"
            case .mapResized:
                return "Another process grew the map; reopen the transaction to adopt the new size"
            case .databasesFull:
                return "Raise maxDatabases when opening the environment"
            case .corrupted, .pageNotFound, .panic:
                return "The data file is damaged: restore it from a copy or delete the directory"
                    + " to start empty"
            case .invalid:
                return "The file is not an LMDB data file: point at the right directory or delete it"
            case .versionMismatch:
                return "The environment was written by another LMDB version: upgrade liblmdb"
                    + " or recreate the directory"
            case .badValueSize:
                return "Keys must be 1...511 bytes; hash longer keys"
            case .noSuchFile:
                return "Create the directory first, or check the path"
            case .permissionDenied:
                return "Check the owner and mode of the directory and its files"
            case .noSpace:
                return "The disk is full: free some space and retry; committed data is intact"
            case .fileTooLarge:
                return "A file-size limit was reached (ulimit -f, or the file system's maximum): raise it or store"
                    + " less; committed data is intact"
            case .readOnlyFileSystem:
                return "The file system is read-only: use a writable directory or open read-only"
            case .outOfMemory:
                return "Not enough memory or address space for the map: lower the map size"
            case .transactionFull:
                return "The transaction changed too many pages: split it into smaller ones"
            default:
                return nil
            }
        }

        private static let names: [Int32: String] = [
            MDB_KEYEXIST: "MDB_KEYEXIST", MDB_NOTFOUND: "MDB_NOTFOUND",
            MDB_PAGE_NOTFOUND: "MDB_PAGE_NOTFOUND", MDB_CORRUPTED: "MDB_CORRUPTED",
            MDB_PANIC: "MDB_PANIC", MDB_VERSION_MISMATCH: "MDB_VERSION_MISMATCH",
            MDB_INVALID: "MDB_INVALID", MDB_MAP_FULL: "MDB_MAP_FULL", MDB_DBS_FULL: "MDB_DBS_FULL",
            MDB_READERS_FULL: "MDB_READERS_FULL", MDB_TLS_FULL: "MDB_TLS_FULL",
            MDB_TXN_FULL: "MDB_TXN_FULL", MDB_CURSOR_FULL: "MDB_CURSOR_FULL",
            MDB_PAGE_FULL: "MDB_PAGE_FULL", MDB_MAP_RESIZED: "MDB_MAP_RESIZED",
            MDB_INCOMPATIBLE: "MDB_INCOMPATIBLE", MDB_BAD_RSLOT: "MDB_BAD_RSLOT",
            MDB_BAD_TXN: "MDB_BAD_TXN", MDB_BAD_VALSIZE: "MDB_BAD_VALSIZE", MDB_BAD_DBI: "MDB_BAD_DBI",
            ENOENT: "ENOENT", EACCES: "EACCES", ENOSPC: "ENOSPC", EIO: "EIO", ENOMEM: "ENOMEM",
            EINVAL: "EINVAL", EROFS: "EROFS", EAGAIN: "EAGAIN", EFBIG: "EFBIG",
        ]
    }
}

/// The chokepoint: turns a non-zero LMDB return code into a thrown `LMDBError`.
@inline(__always)
func check(_ rc: Int32, _ operation: StaticString, _ context: @autoclosure () -> String = "") throws(LMDBError) {
    if rc != 0 {
        throw LMDBError(code: LMDBError.Code(rawValue: rc), operation: "\(operation)", context: context())
    }
}
