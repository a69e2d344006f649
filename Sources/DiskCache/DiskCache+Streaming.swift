import LMDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension DiskCache {
    // MARK: Streaming in

    /// Stores the bytes of `chunks` under `key`, written to a file as they arrive, so that a
    /// value of any size needs only one chunk of memory. A value that ends up no larger than
    /// ``Configuration/blobThreshold`` is stored inline like any other.
    public func set<Chunks: AsyncSequence>(
        chunks: Chunks, forKey key: String, expiry: Expiry = .never
    ) async throws where Chunks.Element: ContiguousBytes {
        guard !key.isEmpty else { throw DiskCacheError.emptyKey }
        let writer = try blobs.create()
        do {
            for try await chunk in chunks { try chunk.withUnsafeBytes { try append($0, to: writer, forKey: key) } }
        } catch {
            writer.discard()
            throw error
        }
        try finishAndStore(writer, forKey: key, expiry: expiry)
    }

    /// Stores the contents of the file at `path` under `key`, copied in chunks (the file itself is
    /// left as it is).
    public func set(contentsOfFile path: String, forKey key: String, expiry: Expiry = .never) throws {
        guard !key.isEmpty else { throw DiskCacheError.emptyKey }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DiskCacheError.fileSystem(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        let writer = try blobs.create()
        do {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
            defer { buffer.deallocate() }
            while true {
                let got = FileIO.read(fd, buffer.baseAddress, buffer.count)
                guard got >= 0 else { throw DiskCacheError.fileSystem(operation: "read", path: path, errno: errno) }
                if got == 0 { break }
                try append(UnsafeRawBufferPointer(rebasing: buffer[0..<got]), to: writer, forKey: key)
            }
        } catch {
            writer.discard()
            throw error
        }
        try finishAndStore(writer, forKey: key, expiry: expiry)
    }

    /// Appends a chunk of a streamed value, failing as soon as the value can no longer fit.
    private func append(_ chunk: UnsafeRawBufferPointer, to writer: BlobWriter, forKey key: String) throws {
        try writer.append(chunk)
        try checkFits(keyLength: key.utf8.count, valueSize: writer.size)
    }

    /// Finishes a streamed value's file and stores it (the file is deleted if that fails).
    private func finishAndStore(_ writer: BlobWriter, forKey key: String, expiry: Expiry) throws {
        do {
            try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
        try store(writer, forKey: key, expiry: expiry)
    }

    /// Commits a finished blob file, or stores its bytes inline when they are few.
    private func store(_ writer: BlobWriter, forKey key: String, expiry: Expiry) throws {
        guard writer.size <= configuration.blobThreshold else {
            _ = try commit(writer, forKey: key, expiry: expiry, when: .always)
            return
        }
        defer { writer.discard() }
        let fd = open(writer.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DiskCacheError.fileSystem(operation: "open blob", path: writer.path, errno: errno) }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: writer.size)
        _ = try bytes.withUnsafeMutableBytes { try BlobReader.readFully(fd, into: $0, path: writer.path) }
        try set(bytes, forKey: key, expiry: expiry)
    }

    // MARK: Streaming out

    /// Calls `body` with the value of `key` in chunks of at most `chunkSize` bytes, read from its
    /// file (or its inline bytes), and returns false when the key is absent or expired.
    ///
    /// A blob's checksum can only be known at its end: if it does not match, the chunks already
    /// delivered were damaged and this throws ``DiskCacheError/corruptValue(key:)`` after the last
    /// one. Discard what you received when it throws.
    @discardableResult
    public func read(_ key: String, chunkSize: Int = 1 << 20, _ body: (UnsafeRawBufferPointer) throws -> Void) throws
        -> Bool
    {
        precondition(chunkSize > 0, "a chunk size must be positive")
        guard let reader = try ChunkReader(cache: self, key: key, chunkSize: chunkSize) else { return false }
        while let chunk = try reader.next() { try chunk.withUnsafeBytes(body) }
        return true
    }

    /// The value of `key` as an asynchronous sequence of chunks of at most `chunkSize` bytes
    /// (empty when the key is absent). A damaged blob ends the sequence with
    /// ``DiskCacheError/corruptValue(key:)``.
    public func chunks(forKey key: String, chunkSize: Int = 1 << 20) -> AsyncThrowingStream<[UInt8], any Error> {
        precondition(chunkSize > 0, "a chunk size must be positive")
        let state = ChunkStreamState(cache: self, key: key, chunkSize: chunkSize)
        return AsyncThrowingStream(unfolding: { try state.next() })
    }

    /// Writes the value of `key` to a new file at `path` (replacing any file there), in chunks.
    /// Returns false, writing nothing, when the key is absent or expired.
    @discardableResult
    public func copyValue(forKey key: String, toFile path: String) throws -> Bool {
        guard let reader = try ChunkReader(cache: self, key: key, chunkSize: 1 << 20) else { return false }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw DiskCacheError.fileSystem(operation: "create", path: path, errno: errno) }
        defer { close(fd) }
        do {
            while let chunk = try reader.next() {
                try chunk.withUnsafeBytes { try FileIO.writeAll(fd, $0, path: path) }
            }
        } catch {
            unlink(path)
            throw error
        }
        return true
    }
}

/// Reads one value in chunks: an inline value (copied out of its snapshot) or a blob file
/// (opened while the snapshot referenced it), verifying the checksum at the end.
final class ChunkReader {
    private enum Source {
        case inline([UInt8], offset: Int)
        case blob(fd: Int32, header: RecordHeader, remaining: Int, hash: StreamingHash)
        case done
    }

    private var source: Source
    private let chunkSize: Int
    private let key: String
    private let cache: DiskCache

    /// Opens `key`; nil when it is absent or expired.
    init?(cache: DiskCache, key: String, chunkSize: Int) throws {
        let now = cache.now
        var found: Source?
        var corrupt = false
        try DiskCache.withKey(key) { raw, storageKey, isLong in
            try storage {
                try cache.environment.read { txn in
                    guard let view = try cache.store.record(txn, storageKey: storageKey, key: raw, isLong: isLong),
                        !view.header.isExpired(at: now)
                    else { return }
                    if let id = view.blobID {
                        guard case .file(let fd) = try cache.blobs.open(id, size: view.header.valueSize) else {
                            corrupt = true
                            return
                        }
                        found = .blob(
                            fd: fd, header: view.header, remaining: Int(view.header.valueSize),
                            hash: StreamingHash(seed: 0))
                    } else if view.isIntact {
                        found = .inline(Array(view.payload), offset: 0)
                    } else {
                        corrupt = true
                    }
                }
            }
        }
        if corrupt { cache.reportCorruption(key: key) }
        guard let found else {
            cache.counters.misses.add(1, ordering: .relaxed)
            return nil
        }
        cache.counters.hits.add(1, ordering: .relaxed)
        self.source = found
        self.chunkSize = chunkSize
        self.key = key
        self.cache = cache
    }

    deinit {
        if case .blob(let fd, _, _, _) = source { close(fd) }
    }

    /// The next chunk, or nil at the end.
    func next() throws -> [UInt8]? {
        switch source {
        case .done:
            return nil
        case .inline(let bytes, let offset):
            guard offset < bytes.count || (offset == 0 && bytes.isEmpty) else {
                source = .done
                return nil
            }
            let end = min(bytes.count, offset + chunkSize)
            source = end >= bytes.count ? .done : .inline(bytes, offset: end)
            return Array(bytes[offset..<end])
        case .blob(let fd, let header, let remaining, let hash):
            guard remaining > 0 else {
                close(fd)
                source = .done
                guard hash.digest ^ header.headerMix == header.checksum else {
                    cache.reportCorruption(key: key)
                    throw DiskCacheError.corruptValue(key: key)
                }
                return nil
            }
            let count = min(chunkSize, remaining)
            var chunk = [UInt8](repeating: 0, count: count)
            let complete = try chunk.withUnsafeMutableBytes { buffer in
                try BlobReader.readFully(fd, into: buffer, path: cache.blobs.directory)
            }
            guard complete else {
                close(fd)
                source = .done
                cache.reportCorruption(key: key)
                throw DiskCacheError.corruptValue(key: key)
            }
            chunk.withUnsafeBytes { hash.update($0) }
            source = .blob(fd: fd, header: header, remaining: remaining - count, hash: hash)
            return chunk
        }
    }
}

/// The state behind ``DiskCache/chunks(forKey:chunkSize:)``.
final class ChunkStreamState: @unchecked Sendable {
    // @unchecked: an AsyncThrowingStream calls its unfolding closure for one consumer at a time,
    // so `reader` and `opened` are never touched concurrently.
    private let cache: DiskCache
    private let key: String
    private let chunkSize: Int
    private var reader: ChunkReader?
    private var opened = false

    init(cache: DiskCache, key: String, chunkSize: Int) {
        self.cache = cache
        self.key = key
        self.chunkSize = chunkSize
    }

    func next() throws -> [UInt8]? {
        if !opened {
            opened = true
            reader = try ChunkReader(cache: cache, key: key, chunkSize: chunkSize)
        }
        return try reader?.next()
    }
}
