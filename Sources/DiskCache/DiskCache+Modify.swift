import LMDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A value handed to ``DiskCache/modify(_:_:)``: change it, or set it to nil to delete the entry.
public struct ModifiableEntry: Sendable, Hashable {
    /// The value's bytes.
    public var value: [UInt8]
    /// When the entry expires. ``Expiry/keep`` keeps the current expiry.
    public var expiry: Expiry

    /// An entry with `value` and `expiry`.
    public init(value: [UInt8], expiry: Expiry = .keep) {
        self.value = value
        self.expiry = expiry
    }
}

extension DiskCache {
    /// Reads, changes and writes back the entry of `key` atomically — across processes too — in
    /// one write transaction: `body` gets the live value (nil when absent or expired), may change
    /// it, set it to nil to delete the entry, or leave it to keep it as it is, and returns a
    /// result.
    ///
    /// This is the primitive behind counters, bit fields, sets, sliding windows and locks in the
    /// `Cashews` backends. `body` runs inside the transaction: keep it short and free of side
    /// effects (it may run again if the map must grow). Values of any size work: a value above
    /// ``Configuration/blobThreshold`` is read from and written to its blob file.
    @discardableResult
    public func modify<R>(_ key: String, _ body: (inout ModifiableEntry?) throws -> R) throws -> R {
        try write { txn, state in try modify(key, txn, &state, body) }
    }

    /// The body of ``modify(_:_:)`` inside a write transaction.
    func modify<R>(
        _ key: String, _ txn: borrowing Transaction, _ state: inout BatchState,
        _ body: (inout ModifiableEntry?) throws -> R
    ) throws -> R {
        try DiskCache.withKey(key) { raw, storageKey, isLong in
            let view = try store.record(txn, storageKey: storageKey, key: raw, isLong: isLong)
            let header = view?.header
            var current: ModifiableEntry?
            if let view, !view.header.isExpired(at: state.now) {
                if let bytes = try readWhole(view) {
                    current = ModifiableEntry(value: bytes, expiry: .keep)
                } else {
                    reportCorruption(key: key)
                }
            }
            let original = current
            let result = try body(&current)
            guard current != original else { return result }
            if let entry = current {
                let deadline = try entry.expiry.deadline(now: state.now)
                if entry.value.count > configuration.blobThreshold {
                    // Large results go to a blob file, written inside this transaction; the
                    // transaction's ledger unlinks it if this run does not commit.
                    try checkFits(keyLength: key.utf8.count, valueSize: entry.value.count)
                    let blob = try entry.value.withUnsafeBytes { try writeBlob($0) }
                    blob.isCommitted = true
                    state.written.add(blob.id)
                    try withPayload(entry.value, blob: blob) { payload in
                        _ = try writeValue(txn, &state, key: key, payload: payload, deadline: deadline, when: .always)
                    }
                } else {
                    try entry.value.withUnsafeBytes { bytes in
                        _ = try writeValue(
                            txn, &state, key: key, payload: .inline(bytes), deadline: deadline, when: .always)
                    }
                }
            } else if let header {
                try store.remove(txn, storageKey: storageKey, header: header, state: &state)
            }
            return result
        }
    }

    /// The whole value of a record: its inline bytes, or its blob file's content; nil when the
    /// value is damaged.
    func readWhole(_ view: RecordView) throws -> [UInt8]? {
        guard let id = view.blobID else { return view.isIntact ? Array(view.payload) : nil }
        guard case .file(let fd) = try blobs.open(id, size: view.header.valueSize) else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: Int(view.header.valueSize))
        let complete = try bytes.withUnsafeMutableBytes {
            try BlobReader.readFully(fd, into: $0, path: blobs.directory)
        }
        guard complete, view.isIntact(blobHash: bytes.withUnsafeBytes { Hash.checksum($0, seed: 0) }) else {
            return nil
        }
        return bytes
    }
}
