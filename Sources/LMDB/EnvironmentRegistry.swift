import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The process-wide table of open environments, keyed by real path.
///
/// LMDB forbids opening one environment twice in a process ("not even from a plain open()
/// call - close()ing it breaks fcntl() advisory locking"), so every ``Environment`` of a path
/// shares one ``EnvironmentCore``. The core is closed, under this table's lock, when its last
/// ``Environment`` goes away; an open of the same path waits for that close to finish.
enum EnvironmentRegistry {
    private static let cores = Mutex<[String: EnvironmentCore]>([:])

    /// Returns the core for `path`, opening it with `options` if this process has none yet.
    static func acquire(path: String, options: Environment.Options) throws(LMDBError) -> EnvironmentCore {
        let canonical = try canonicalPath(path, noSubdirectory: options.flags.contains(.noSubdirectory))
        let key = try identity(canonical, noSubdirectory: options.flags.contains(.noSubdirectory))
        return try cores.withLock { table throws(LMDBError) -> EnvironmentCore in
            let core: EnvironmentCore
            if let open = table[key] {
                precondition(
                    open.processID == getpid(),
                    "\(key) was opened before fork(): LMDB environments cannot be used across fork(); open caches after forking, or exec"
                )
                core = open
            } else {
                core = try EnvironmentCore(path: canonical, options: options)
                core.registryKey = key
                table[key] = core
            }
            core.referenceCount += 1
            return core
        }
    }

    /// Drops one reference; closes the environment, under the table's lock, when it was the
    /// last, so that a concurrent open of the same path waits for the close to finish.
    static func release(_ core: EnvironmentCore) {
        cores.withLock { table in
            core.referenceCount -= 1
            guard core.referenceCount == 0 else { return }
            table.removeValue(forKey: core.registryKey)
            core.close()
        }
    }

    /// True when this process has `path` open (for tests and diagnostics).
    static func isOpen(_ path: String) -> Bool {
        // stat follows symlinks: the path's own device and inode are its real directory's.
        guard let key = try? identity(path, noSubdirectory: false) else { return false }
        return cores.withLock { $0[key] != nil }
    }

    /// How many environments this process has open (for tests and diagnostics).
    static var openCount: Int { cores.withLock { $0.count } }

    /// The registry's key for an environment: the device and inode of its directory (and the
    /// data file's name with `noSubdirectory`), so that two paths to one directory — a bind
    /// mount, a hard link — share one handle, as LMDB's per-process locks require.
    private static func identity(_ canonical: String, noSubdirectory: Bool) throws(LMDBError) -> String {
        var directory = canonical
        var name = ""
        if noSubdirectory, let slash = canonical.lastIndex(of: "/") {
            directory = String(canonical[..<slash])
            name = String(canonical[canonical.index(after: slash)...])
        }
        var info = stat()
        guard stat(directory.isEmpty ? "/" : directory, &info) == 0 else {
            throw LMDBError(code: LMDBError.Code(rawValue: errno), operation: "stat", context: directory)
        }
        return "\(info.st_dev):\(info.st_ino)/\(name)"
    }

    /// The real path of the directory (or of the data file with `noSubdirectory`).
    private static func canonicalPath(_ path: String, noSubdirectory: Bool) throws(LMDBError) -> String {
        if noSubdirectory {
            // The data file may not exist yet: resolve its directory instead.
            let slash = path.lastIndex(of: "/")
            let directory = slash.map { String(path[..<$0]) } ?? "."
            let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
            return try canonicalPath(directory.isEmpty ? "/" : directory, noSubdirectory: false) + "/" + name
        }
        guard let resolved = realpath(path, nil) else {
            throw LMDBError(code: LMDBError.Code(rawValue: errno), operation: "realpath", context: path)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
