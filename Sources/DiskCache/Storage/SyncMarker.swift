import CacheVocabulary
import LMDB
import Synchronization

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
/// The file `synced` holds one line, `state=clean|dirty boot=<id> transaction=<n>`. A flush
/// writes `clean` (inside LMDB's write lock, after the data file reached the disk); the first
/// commit after it, in any process, writes `dirty` and fsyncs it before the commit writes a page
/// (one fsync per flush interval). An open that finds a marker of this boot is done; any other
/// takes an exclusive `flock` on it while it decides, so that one process verifies a suspect
/// file while the others wait.
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

    /// Parses the marker's line; nil when it is missing or torn. Works on the bytes (an open
    /// reads the marker on every call: no `String` splitting on that path).
    init?(_ line: some Collection<UInt8>) {
        var boot: String?
        var transaction: Int?
        var state: Bool?
        var field: [UInt8] = []
        field.reserveCapacity(64)
        func take(_ field: [UInt8]) {
            if field.starts(with: SyncMarker.bootPrefix) {
                boot = String(decoding: field.dropFirst(SyncMarker.bootPrefix.count), as: UTF8.self)
            } else if field.starts(with: SyncMarker.transactionPrefix) {
                transaction = DecimalInteger.parse(field.dropFirst(SyncMarker.transactionPrefix.count)).map(Int.init)
            } else if field == SyncMarker.cleanField {
                state = true
            } else if field == SyncMarker.dirtyField {
                state = false
            }
        }
        for byte in line {
            if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == 0 {
                if !field.isEmpty { take(field) }
                field.removeAll(keepingCapacity: true)
            } else {
                field.append(byte)
            }
        }
        if !field.isEmpty { take(field) }
        guard let boot, !boot.isEmpty, let transaction, let state else { return nil }
        self.bootID = boot
        self.transaction = transaction
        self.isClean = state
    }

    private static let bootPrefix = Array("boot=".utf8)
    private static let transactionPrefix = Array("transaction=".utf8)
    private static let cleanField = Array("state=clean".utf8)
    private static let dirtyField = Array("state=dirty".utf8)

    init(bootID: String, transaction: Int, isClean: Bool) {
        self.bootID = bootID
        self.transaction = transaction
        self.isClean = isClean
    }

    /// The stored form: `state=…` first (so that its first letter sits at a fixed offset, read
    /// through a shared mapping on every commit), padded to ``lineLength`` bytes so the file never
    /// shrinks under a mapping.
    var line: [UInt8] {
        var bytes = Array("state=\(isClean ? "clean" : "dirty") boot=\(bootID) transaction=\(transaction)".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: " "), count: max(0, SyncMarker.lineLength - 1 - bytes.count))
        return bytes + [UInt8(ascii: "\n")]
    }

    static let lineLength = 128
    /// Where `boot=` starts: after `state=clean ` or `state=dirty `, both 12 bytes.
    static let bootOffset = 12
    /// `boot=<this boot's id> `, as a line of this boot holds it at ``bootOffset``.
    static let currentBootField: [UInt8]? = currentBootID.map { Array("boot=\($0) ".utf8) }
    /// Where the state's first letter (`c` or `d`) is.
    static let stateOffset = 6

    /// The marker file of a cache, open (and, for an open's decision, locked).
    final class File: @unchecked Sendable {
        // @unchecked: `fd` and `path` never change; the mapping's address is set once, under
        // `mapped`'s lock, and the page is only read; the file's content is the kernel's to share.
        let fd: Int32
        let path: String
        /// The first page of the file, mapped shared once the file holds a whole line, so that a
        /// commit can see whether the file is marked clean with one load.
        private let mapped = Mutex<UnsafeRawPointer?>(nil)

        init(directory: String) throws {
            path = directory + "/" + SyncMarker.fileName
            fd = FileIO.openForUpdate(path)
            guard fd >= 0 else { throw DiskCacheError.fileSystem(operation: "open", path: path, errno: errno) }
        }

        /// Makes other processes' opens wait (for an open's decision); `close` also releases it.
        func lock() { while flock(fd, LOCK_EX) != 0 && errno == EINTR {} }

        /// Lets other processes' opens decide (the file stays open, for the commits' checks).
        func unlock() { flock(fd, LOCK_UN) }

        deinit {
            if let page = mapped.withLock({ $0 }) {
                munmap(UnsafeMutableRawPointer(mutating: page), SyncMarker.lineLength)
            }
            close(fd)  // releases a lock still held
        }

        /// The marker stored in the file, if it parses.
        func read() -> SyncMarker? {
            withLine { line in line.map { SyncMarker($0) } ?? nil }
        }

        /// True when the file holds a marker of this boot of the machine (one read and one
        /// comparison of bytes: the check of every open).
        func isFromCurrentBoot() -> Bool {
            guard let expected = SyncMarker.currentBootField else { return false }
            return withLine { line in
                guard let line, line.count >= SyncMarker.bootOffset + expected.count else { return false }
                return line[SyncMarker.bootOffset..<SyncMarker.bootOffset + expected.count].elementsEqual(expected)
            }
        }

        private func withLine<R>(_ body: (UnsafeRawBufferPointer?) -> R) -> R {
            withUnsafeTemporaryAllocation(byteCount: 2 * SyncMarker.lineLength, alignment: 1) { buffer in
                let count = pread(fd, buffer.baseAddress, buffer.count, 0)
                return body(count > 0 ? UnsafeRawBufferPointer(rebasing: buffer[0..<count]) : nil)
            }
        }

        /// True when the file says the data file is flushed (read through the mapping; a file
        /// without a whole line reads as not clean).
        var isMarkedClean: Bool {
            mapped.withLock { page in
                if page == nil {
                    var info = stat()
                    guard fstat(fd, &info) == 0, Int(info.st_size) >= SyncMarker.lineLength else { return false }
                    let address = mmap(nil, SyncMarker.lineLength, PROT_READ, MAP_SHARED, fd, 0)
                    guard let address, address != MAP_FAILED else { return false }
                    page = UnsafeRawPointer(address)
                }
                return page!.load(fromByteOffset: SyncMarker.stateOffset, as: UInt8.self) == UInt8(ascii: "c")
            }
        }

        /// Replaces the marker (in place, whole line: the file never shrinks) and flushes it.
        func write(_ marker: SyncMarker) throws {
            let bytes = marker.line
            guard pwrite(fd, bytes, bytes.count, 0) == bytes.count, fsync(fd) == 0 else {
                throw DiskCacheError.fileSystem(operation: "write", path: path, errno: errno)
            }
        }
    }
}
