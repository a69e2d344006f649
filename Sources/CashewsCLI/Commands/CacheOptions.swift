import ArgumentParser
import DiskCache
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The options every command shares: which cache, and how to answer.
struct CacheOptions: ParsableArguments {
    @Option(
        name: [.customShort("c"), .long], help: "The cache directory (default: $CASHEWS_CACHE).",
        completion: .directory)
    var cache: String?

    @Option(
        help: ArgumentHelp(
            "The size limit the cache's owners use (e.g. 1GiB), for `stats` and writes (default: none).",
            discussion: "A cache does not record its limit; without this option writes never evict.",
            valueName: "size"))
    var sizeLimit: ByteCount?

    @Flag(help: "Log what the engine does on its own (repairs, recoveries) to stderr.")
    var verbose = false

    /// The directory to use: --cache, else $CASHEWS_CACHE.
    func directory() throws -> String {
        if let cache { return cache }
        if let value = getenv("CASHEWS_CACHE") { return String(cString: value) }
        throw CommandFailure.usage("no cache directory: pass --cache DIR (or set CASHEWS_CACHE)")
    }

    /// The configuration the tool opens caches with: no limits unless given (so that a write
    /// never evicts what the cache's owners keep), the stored eviction policy, no expired entries
    /// removed in passing (so that `sweep` counts exactly what it removed), and the default
    /// durability (commits flushed every second and when the command ends, with the flush noted
    /// as the engine's processes expect).
    func configuration() -> DiskCache.Configuration {
        var logger = Logger(label: "cashews")
        logger.logLevel = verbose ? .info : .error
        var configuration = DiskCache.Configuration(
            sizeLimit: sizeLimit?.bytes, countLimit: nil, logger: logger, cullLimit: 0)
        configuration.adoptsStoredPolicy = true
        return configuration
    }

    /// Opens the cache, turning every reason it cannot be opened into exit code 4 with a message
    /// that says what to do. Without `create`, a directory must already hold a cache.
    func open(create: Bool = false) throws -> DiskCache {
        let path = try directory()
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            if code == ENOENT && create {
                return try openEngine(path)
            }
            if code == ENOENT {
                throw CommandFailure.cannotOpen(
                    "no such directory: \(path) (check the path; `cashews set --create` or `import --create` makes a new cache)"
                )
            }
            throw CommandFailure.cannotOpen(
                "cannot read \(path): \(String(cString: strerror(code))) (check its permissions)")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw CommandFailure.cannotOpen("\(path) is not a directory: pass the cache's directory with --cache")
        }
        if access(path + "/data.mdb", F_OK) != 0 {
            if errno == EACCES {
                throw CommandFailure.cannotOpen(
                    "permission denied reading \(path): run as the user that owns the cache (or fix its permissions)")
            }
            if !create {
                throw CommandFailure.cannotOpen(
                    "\(path) is not a cache directory (it has no data.mdb): check the path, or pass --create to make one"
                )
            }
        } else if access(path + "/data.mdb", R_OK | W_OK) != 0 {
            throw CommandFailure.cannotOpen(
                "permission denied on \(path)/data.mdb: run as the user that owns the cache (or fix its permissions)")
        }
        return try openEngine(path)
    }

    /// The caches this run opened, flushed by ``flushOpened()`` before the process exits.
    nonisolated(unsafe) private static var opened: [DiskCache] = []

    /// Flushes every cache this run opened (the tool's last act, also after a failure or
    /// Ctrl-C between batches): with periodic durability the last commits would otherwise wait
    /// for the operating system's write-back.
    static func flushOpened() {
        for cache in opened {
            do {
                try cache.flush()
            } catch {
                Terminal.standardError.writeError("could not flush \(cache.directory): \(error)")
            }
        }
        opened.removeAll()
    }

    private func openEngine(_ path: String) throws -> DiskCache {
        do {
            let cache = try DiskCache(directory: path, configuration: configuration())
            CacheOptions.opened.append(cache)
            return cache
        } catch let error as DiskCacheError {
            throw CommandFailure.cannotOpen(CacheOptions.explain(error, path: path))
        }
    }

    /// What an open failure means for a person at the command line.
    static func explain(_ error: DiskCacheError, path: String) -> String {
        switch error {
        case .incompatibleCache(_, let reason) where reason.contains("not swift-cashews.disk-cache/1"):
            return "\(path) was written in another cache format (\(reason)): use the cashews tool of the version"
                + " that wrote it, or delete the directory to start over"
        case .storage(let lmdb) where lmdb.code.rawValue == EACCES || lmdb.code.rawValue == EPERM:
            return "permission denied opening \(path): run as the user that owns the cache (\(lmdb))"
        case .storage(let lmdb) where lmdb.code.rawValue == EBUSY || lmdb.code.rawValue == EAGAIN:
            return "\(path) is locked (\(lmdb)): a process holds its lock; if it crashed, stop the processes"
                + " using the cache and run the command again (stale readers are cleared on open)"
        default:
            return error.description
        }
    }
}

/// A size on the command line: a number of bytes with an optional unit (`512`, `64KB`, `10MiB`,
/// `1G`); K, M, G and T are powers of 1024.
struct ByteCount: ExpressibleByArgument, Sendable {
    /// The size in bytes.
    var bytes: Int

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: " ").lowercased()
        let digits = text.prefix { $0.isNumber || $0 == "." }
        let unit = text.dropFirst(digits.count)
        guard let number = Double(digits), number >= 0 else { return nil }
        let multipliers: [String: Double] = [
            "": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1_048_576, "mb": 1_048_576, "mib": 1_048_576,
            "g": 1_073_741_824, "gb": 1_073_741_824, "gib": 1_073_741_824, "t": 1_099_511_627_776,
            "tb": 1_099_511_627_776, "tib": 1_099_511_627_776,
        ]
        guard let multiplier = multipliers[String(unit)] else { return nil }
        bytes = Int(number * multiplier)
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

extension String {
    /// The string without leading and trailing `character`s.
    func trimmingCharacters(in character: Character) -> String {
        String(drop { $0 == character }.reversed().drop { $0 == character }.reversed())
    }
}
