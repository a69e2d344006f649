import LMDB

/// An error from a ``DiskCache``. Each description says what went wrong and what to do.
public enum DiskCacheError: Error, Sendable, CustomStringConvertible {
    /// A key was empty; keys are non-empty strings of any length.
    case emptyKey
    /// A time-to-live was zero or negative.
    case invalidTTL(Duration)
    /// `increment` found a value that is not a decimal 64-bit integer.
    case notAnInteger(key: String)
    /// `increment` would leave the 64-bit range.
    case integerOverflow(key: String)
    /// A glob pattern is malformed.
    case invalidPattern(String, reason: String)
    /// A value streamed out of the cache failed its checksum at its end.
    case corruptValue(key: String)
    /// A single value is larger than the cache's size limit.
    case valueTooLarge(size: Int, limit: Int)
    /// The data file is damaged: not an LMDB file, a bad meta page, or truncated.
    case corrupted(path: String, reason: String)
    /// The directory holds a cache this version cannot use as configured.
    case incompatibleCache(path: String, reason: String)
    /// The storage underneath failed (disk full, permissions, damaged files, …).
    case storage(LMDBError)
    /// A file operation on the cache directory failed.
    case fileSystem(operation: String, path: String, errno: Int32)

    /// True for errors that come from the arguments of a call (not from the storage): a retry
    /// with the same arguments fails the same way.
    public var isArgumentError: Bool {
        switch self {
        case .emptyKey, .invalidTTL, .notAnInteger, .integerOverflow, .invalidPattern, .valueTooLarge: return true
        default: return false
        }
    }

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .emptyKey:
            return "empty cache key: keys are non-empty strings (of any length)"
        case .invalidTTL(let duration):
            return "invalid time-to-live \(duration): it must be positive; use Expiry.never for no expiry"
        case .notAnInteger(let key):
            return "the value of \"\(key)\" is not a decimal 64-bit integer, so it cannot be incremented;"
                + " delete it or store an integer first"
        case .integerOverflow(let key):
            return "incrementing \"\(key)\" would overflow a 64-bit integer; reset it first"
        case .invalidPattern(let pattern, let reason):
            return "invalid glob pattern \"\(pattern)\": \(reason) (escape a literal *, ?, [ or \\ with \\)"
        case .corruptValue(let key):
            return "the value of \"\(key)\" is damaged (its checksum does not match): discard what was read;"
                + " run check(repair: true) to remove it"
        case .valueTooLarge(let size, let limit):
            return "a value of \(size) bytes cannot fit a cache limited to \(limit) bytes (an entry counts its"
                + " key, its value and 64 bytes); raise sizeLimit or store it elsewhere (nothing was evicted for it)"
        case .corrupted(let path, let reason):
            return "the cache at \(path) is damaged (\(reason)): delete the directory to start empty, restore it"
                + " from a copy, or open it with onCorruption: .recreate"
        case .incompatibleCache(let path, let reason):
            return "the cache at \(path) cannot be opened: \(reason)"
        case .storage(let error):
            return "cache storage failed: \(error)"
        case .fileSystem(let operation, let path, let code):
            return "\(operation) failed for \(path): \(String(cString: strerror(code))) (errno \(code));"
                + " check the directory's permissions and free space"
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs `body`, turning any ``LMDBError`` into ``DiskCacheError/storage(_:)``.
@inline(__always)
func storage<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as LMDBError {
        throw DiskCacheError.storage(error)
    }
}
