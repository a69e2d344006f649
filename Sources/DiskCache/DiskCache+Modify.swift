import LMDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A value handed to ``DiskCache/modify(_:_:)``: change it, or set it to nil to delete the entry.
public struct ModifiableEntry: Sendable, Hashable {
    /// The value's bytes.
    public var value: [UInt8]
    /// When the entry expires. ``Expiry/unchanged`` keeps the current expiry.
    public var expiry: Expiry

    /// An entry with `value` and `expiry`.
    public init(value: [UInt8], expiry: Expiry = .unchanged) {
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
    /// effects (it may run again if the map must grow). Values are stored inline (at most
    /// ``Configuration/blobThreshold`` bytes); a blob entry reads as damaged here.
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
            var current: ModifiableEntry?
            if let view, !view.header.isExpired(at: state.now), view.isIntact {
                current = ModifiableEntry(value: Array(view.payload), expiry: .unchanged)
            }
            let original = current
            let result = try body(&current)
            guard current != original else { return result }
            if let entry = current {
                guard entry.value.count <= configuration.blobThreshold else {
                    throw DiskCacheError.valueTooLarge(size: entry.value.count, limit: configuration.blobThreshold)
                }
                let deadline = try entry.expiry.deadline(now: state.now)
                try entry.value.withUnsafeBytes { bytes in
                    _ = try writeValue(
                        txn, &state, key: key, payload: .inline(bytes), deadline: deadline, when: .always)
                }
            } else if let view {
                let header = view.header
                try store.remove(txn, storageKey: storageKey, header: header, state: &state)
            }
            return result
        }
    }
}
