import LMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The durable note of the last flush of a cache that does not flush every commit
/// (``Durability/periodic(_:)`` and ``Durability/none``): the machine's boot id then, and the
/// last LMDB transaction the flush put on the disk. It is how an open tells a power loss or a
/// machine crash (another boot, and commits after the last flush) from a process crash (the
/// same boot: the page cache kept every commit).
///
/// The file `synced` holds one line, `boot=<id> transaction=<n> state=clean|dirty`. A flush
/// writes `clean` (inside LMDB's write lock, after the data file reached the disk); the first
/// commit after it, in any process, writes `dirty` and fsyncs it before the commit writes a page
/// (one fsync per flush interval). Opens take an exclusive `flock` on it while they decide, so
/// that one process verifies a suspect file while the others wait.
struct SyncMarker: Equatable {
    static let fileName = "synced"

    var bootID: String
    var transaction: Int
    /// False once a commit followed the flush: the commit marks the file before it writes a page.
    var isClean: Bool

    /// The id of this boot of the machine (Linux: `/proc/sys/kernel/random/boot_id`); nil where
    /// the system has none, and then every open after commits that were not flushed is suspect.
    static let currentBootID: String? = {
        let fd = FileIO.open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { FileIO.read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).filter { !$0.isWhitespace }
        return text.isEmpty ? nil : text
    }()

    /// Parses the marker's line; nil when it is missing or torn.
    init?(_ text: String) {
        var boot: String?
        var transaction: Int?
        var state: Substring?
        for field in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            if field.hasPrefix("boot=") { boot = String(field.dropFirst(5)) }
            if field.hasPrefix("transaction=") { transaction = Int(field.dropFirst(12)) }
            if field.hasPrefix("state=") { state = field.dropFirst(6) }
        }
        guard let boot, !boot.isEmpty, let transaction, state == "clean" || state == "dirty" else { return nil }
        self.bootID = boot
        self.transaction = transaction
        self.isClean = state == "clean"
    }

    init(bootID: String, transaction: Int, isClean: Bool) {
        self.bootID = bootID
        self.transaction = transaction
        self.isClean = isClean
    }

    var line: String { "boot=\(bootID) transaction=\(transaction) state=\(isClean ? "clean" : "dirty")\n" }

    /// The marker file of a cache, open and locked for the caller's decision.
    final class File: Sendable {
        let fd: Int32
        let path: String

        init(directory: String, lock: Bool) throws {
            path = directory + "/" + SyncMarker.fileName
            fd = FileIO.openForUpdate(path)
            guard fd >= 0 else { throw DiskCacheError.fileSystem(operation: "open", path: path, errno: errno) }
            if lock { while flock(fd, LOCK_EX) != 0 && errno == EINTR {} }
        }

        deinit {
            flock(fd, LOCK_UN)
            close(fd)
        }

        /// The marker stored in the file, if it parses.
        func read() -> SyncMarker? {
            var buffer = [UInt8](repeating: 0, count: 256)
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { return nil }
            return SyncMarker(String(decoding: buffer[0..<count], as: UTF8.self))
        }

        /// Replaces the marker and flushes it to the disk.
        func write(_ marker: SyncMarker) throws {
            let bytes = Array(marker.line.utf8)
            guard ftruncate(fd, 0) == 0, pwrite(fd, bytes, bytes.count, 0) == bytes.count, fsync(fd) == 0 else {
                throw DiskCacheError.fileSystem(operation: "write", path: path, errno: errno)
            }
        }
    }
}
