import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The name of a blob file: 16 random bytes, stored in the record instead of the value.
struct BlobID: Hashable, Sendable {
    static let size = 16
    let bytes: [UInt8]

    init(bytes: [UInt8]) {
        precondition(bytes.count == BlobID.size)
        self.bytes = bytes
    }

    init?(_ payload: UnsafeRawBufferPointer) {
        guard payload.count == BlobID.size else { return nil }
        bytes = Array(payload)
    }

    /// A fresh random id.
    static func random() -> BlobID {
        var generator = SystemRandomNumberGenerator()
        return BlobID(bytes: (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// "ab/cdef…": a two-character directory, then the rest of the hex name.
    var relativePath: String {
        let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        return String(hex.prefix(2)) + "/" + String(hex.dropFirst(2))
    }

    /// Parses a relative path made by ``relativePath``.
    init?(relativePath: String) {
        let hex = relativePath.replacingSlash()
        guard hex.count == BlobID.size * 2 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.bytes = bytes
    }
}

extension String {
    fileprivate func replacingSlash() -> String { split(separator: "/").joined() }
}

/// Values too large to keep inside the database live in files under `<cache>/blobs/`, one file
/// per stored value, named by a random ``BlobID`` and never modified once referenced.
///
/// The protocol keeps the database and the files consistent across crashes:
/// 1. the writer writes (and, in the flushing durability modes, fsyncs) a new file before the
///    transaction that references it commits;
/// 2. a file is unlinked only after the transaction that dropped its last reference commits.
/// A crash can therefore leave at worst an unreferenced (orphan) file, which
/// ``DiskCache/check(repair:orphanGrace:)`` and ``DiskCache/removeOrphanBlobs(olderThan:)`` (run
/// by the maintenance service every few minutes) remove once it is older than a grace period.
struct BlobStore: Sendable {
    let directory: String
    let flushes: Bool
    /// Files written without a flush (the modes that defer flushes), flushed by ``flushPending()``.
    let pending = PendingFlushes()
    /// Files this process is writing or about to commit: never orphans, whatever their age.
    let inFlight = InFlightBlobs()

    init(cacheDirectory: String, flushes: Bool) {
        directory = cacheDirectory + "/blobs"
        self.flushes = flushes
    }

    /// Flushes the files written since the last call (and their directories), so that a flush
    /// of the data file never makes durable a reference to a blob that is not.
    func flushPending() throws {
        let paths = pending.take()
        var folders = Set<String>()
        for path in paths {
            let fd = FileIO.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { continue }  // deleted meanwhile
            defer { close(fd) }
            if fsync(fd) != 0 { throw DiskCacheError.fileSystem(operation: "fsync blob", path: path, errno: errno) }
            folders.insert(String(path[..<path.lastIndex(of: "/")!]))
        }
        for folder in folders { FileIO.syncDirectory(folder) }
        if !folders.isEmpty { FileIO.syncDirectory(directory) }
    }

    func path(of id: BlobID) -> String { directory + "/" + id.relativePath }

    /// Creates the file of a new blob, ready to be written.
    func create() throws -> BlobWriter {
        let id = BlobID.random()
        let path = path(of: id)
        let folder = String(path[..<path.lastIndex(of: "/")!])
        for dir in [directory, folder] {
            if mkdir(dir, 0o700) == 0 {
                // A new directory's own entry must reach the disk too, in the flushing modes.
                if flushes { FileIO.syncDirectory(String(dir[..<dir.lastIndex(of: "/")!])) }
            } else if errno != EEXIST {
                throw DiskCacheError.fileSystem(operation: "mkdir", path: dir, errno: errno)
            }
        }
        let fd = FileIO.create(path)
        guard fd >= 0 else { throw DiskCacheError.fileSystem(operation: "create blob", path: path, errno: errno) }
        inFlight.insert(id)
        return BlobWriter(id: id, path: path, fd: fd, flushes: flushes, pending: pending, inFlight: inFlight)
    }

    /// What opening a blob file for reading found.
    enum Opened {
        /// The file, open, with the size the record says.
        case file(Int32)
        /// No such file (deleted by a writer after the reader's snapshot, or lost).
        case missing
        /// The file exists but its size is not the record's (cut short by a crash or a person).
        case wrongSize
    }

    /// Opens a blob for reading and checks that it holds `size` bytes, so that nothing reads or
    /// maps past its end (a mapping past the end of a file faults).
    func open(_ id: BlobID, size: UInt64) throws -> Opened {
        let fd = FileIO.open(path(of: id), O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return .missing }
            throw DiskCacheError.fileSystem(operation: "open blob", path: path(of: id), errno: errno)
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= 0, UInt64(info.st_size) == size else {
            close(fd)
            return .wrongSize
        }
        return .file(fd)
    }

    /// Unlinks blobs whose last reference was dropped by a committed transaction.
    func remove(_ ids: [BlobID]) {
        for id in ids { unlink(path(of: id)) }
    }

    /// Every blob file present, with its size and age in seconds (negative when the file's time
    /// is ahead of this clock: file systems stamp times with their own, coarser clock).
    func files() -> [(id: BlobID, size: Int, age: Double)] {
        var found: [(BlobID, Int, Double)] = []
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        for folder in list(directory) {
            for name in list(directory + "/" + folder) {
                guard let id = BlobID(relativePath: folder + "/" + name) else { continue }
                var info = stat()
                guard stat(path(of: id), &info) == 0 else { continue }
                let age =
                    Double(now.tv_sec - info.st_mtim.tv_sec) + Double(now.tv_nsec - info.st_mtim.tv_nsec) / 1e9
                found.append((id, Int(info.st_size), age))
            }
        }
        return found
    }

    private func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

/// Paths of blob files written without a flush, waiting for the next flush of the cache.
final class PendingFlushes: Sendable {
    private let paths = Mutex<[String]>([])

    func add(_ path: String) { paths.withLock { $0.append(path) } }

    func take() -> [String] {
        paths.withLock { paths in
            defer { paths.removeAll() }; return paths
        }
    }
}

/// Ids of the blob files this process is writing or committing.
final class InFlightBlobs: Sendable {
    private let ids = Mutex<Set<BlobID>>([])

    func insert(_ id: BlobID) { _ = ids.withLock { $0.insert(id) } }

    func remove(_ id: BlobID) { _ = ids.withLock { $0.remove(id) } }

    func contains(_ id: BlobID) -> Bool { ids.withLock { $0.contains(id) } }
}

/// A blob file being written; hashes what it writes.
final class BlobWriter {
    let id: BlobID
    let path: String
    private var fd: Int32
    private let flushes: Bool
    private let pending: PendingFlushes
    private let inFlight: InFlightBlobs
    private let hash = StreamingHash(seed: 0)
    private(set) var size = 0
    /// The content's hash, once ``finish()`` returned.
    private(set) var contentHash: UInt64 = 0
    /// True once a committed transaction references the file (it must then not be discarded).
    var isCommitted = false

    init(id: BlobID, path: String, fd: Int32, flushes: Bool, pending: PendingFlushes, inFlight: InFlightBlobs) {
        self.id = id
        self.path = path
        self.fd = fd
        self.flushes = flushes
        self.pending = pending
        self.inFlight = inFlight
    }

    /// The writer lives until the write that references its file has committed or failed.
    deinit {
        if fd >= 0 { close(fd) }
        inFlight.remove(id)
    }

    /// Appends `bytes`.
    func append(_ bytes: UnsafeRawBufferPointer) throws {
        // Hash and write 1 MiB at a time, so that the bytes the hash reads are still in the CPU
        // cache when the kernel copies them (one trip through memory instead of two).
        var offset = 0
        while offset < bytes.count {
            let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<min(bytes.count, offset + (1 << 20))])
            hash.update(piece)
            try FileIO.writeAll(fd, piece, path: path)
            offset += piece.count
        }
        size += bytes.count
    }

    /// Closes the file, flushing it first in the flushing durability modes, and sets
    /// ``contentHash``.
    func finish() throws {
        if flushes {
            if fsync(fd) != 0 { throw DiskCacheError.fileSystem(operation: "fsync blob", path: path, errno: errno) }
            // The file's name is in its directory: flush that too (POSIX), before the commit.
            FileIO.syncDirectory(String(path[..<path.lastIndex(of: "/")!]))
        } else {
            pending.add(path)
        }
        close(fd)
        fd = -1
        contentHash = hash.digest
    }

    /// Deletes the file (the write failed or was not committed).
    func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(path)
    }
}

/// Reads a whole blob file (or a part of it) from a file descriptor.
enum BlobReader {
    /// Reads `count` bytes into `buffer` from `fd`; false on a short file.
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Bool {
        var offset = 0
        while offset < buffer.count {
            let got = FileIO.read(fd, buffer.baseAddress! + offset, buffer.count - offset)
            guard got >= 0 else { throw DiskCacheError.fileSystem(operation: "read blob", path: path, errno: errno) }
            if got == 0 { return false }
            offset += got
        }
        return true
    }
}

/// Plain file I/O for code inside types whose own `read`/`write` methods shadow the C functions.
enum FileIO {
    /// `open(2)` without a mode, retried on EINTR.
    static func open(_ path: String, _ flags: Int32) -> Int32 {
        while true {
            #if canImport(Glibc)
                let fd = Glibc.open(path, flags)
            #else
                let fd = Darwin.open(path, flags)
            #endif
            if fd < 0 && errno == EINTR { continue }
            return fd
        }
    }

    /// Creates a new file (`O_EXCL`) with mode 0600 for writing, retried on EINTR.
    static func create(_ path: String) -> Int32 {
        while true {
            #if canImport(Glibc)
                let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            #else
                let fd = Darwin.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            #endif
            if fd < 0 && errno == EINTR { continue }
            return fd
        }
    }

    /// Flushes a directory (its entries: new files, new subdirectories); errors are ignored, as a
    /// file system that cannot flush directories has nothing more to offer.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Opens (creating, mode 0600) a file for reading and writing, retried on EINTR.
    static func openForUpdate(_ path: String) -> Int32 {
        while true {
            #if canImport(Glibc)
                let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            #else
                let fd = Darwin.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            #endif
            if fd < 0 && errno == EINTR { continue }
            return fd
        }
    }

    /// `read(2)`, retried on EINTR.
    static func read(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        while true {
            let got = Glibc.read(fd, buffer, count)
            if got < 0 && errno == EINTR { continue }
            return got
        }
    }

    /// Writes all of `buffer` to `fd`.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written >= 0 else { throw DiskCacheError.fileSystem(operation: "write", path: path, errno: errno) }
            offset += written
        }
    }
}
