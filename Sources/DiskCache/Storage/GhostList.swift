import LMDB

/// The ghost list of ``EvictionPolicy/s3FIFO``: keys that left the small queue without being
/// read, remembered (as 8-byte fingerprints of their storage keys, not their values) for about
/// as many entries as the main queue holds. A key written again while it is remembered was
/// evicted too early: it goes straight to the main queue.
extension EntryStore {
    /// The fingerprint a ghost is remembered by: XXH3-64 of the storage key (a collision only
    /// places a new key in the main queue).
    @inline(__always)
    static func fingerprint(_ storageKey: UnsafeRawBufferPointer) -> UInt64 {
        Hash.checksum(storageKey, seed: 0x6768_6f73_7473)  // "ghosts"
    }

    /// Remembers `storageKey` as just evicted from the small queue, and forgets the oldest
    /// ghosts beyond `capacity`.
    func rememberGhost(
        _ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer, capacity: Int, state: inout BatchState
    ) throws {
        guard let ghosts = schema.ghosts, let ghostOrder = schema.ghostOrder else { return }
        var fingerprint = EntryStore.fingerprint(storageKey).bigEndian
        state.meta.sequence += 1
        state.metaChanged = true
        var sequence = state.meta.sequence.bigEndian
        try withUnsafeBytes(of: &fingerprint) { mark in
            // A key remembered twice keeps only its newest place.
            if let previous = try txn.value(forKey: mark, in: ghosts), previous.count == 8 {
                _ = try txn.delete(forKey: previous, in: ghostOrder)
            }
            try withUnsafeBytes(of: &sequence) { order in
                try txn.put(order, forKey: mark, in: ghosts)
                try txn.put(mark, forKey: order, in: ghostOrder)
            }
        }
        var excess = try txn.statistics(of: ghosts).entries - max(1, capacity)
        while excess > 0 {
            let oldest = try txn.withCursor(in: ghostOrder) { cursor -> ([UInt8], [UInt8])? in
                guard let row = try cursor.first() else { return nil }
                return (Array(row.key), Array(row.value))
            }
            guard let (order, mark) = oldest else { break }
            _ = try txn.delete(forKey: order, in: ghostOrder)
            guard mark.count == 8 else { continue }  // a damaged row
            // The fingerprint's row names this place unless the key was remembered again since.
            // (Each pass deletes an order row, so the loop ends even over damaged tables.)
            if try txn.value(forKey: mark, in: ghosts) == order {
                _ = try txn.delete(forKey: mark, in: ghosts)
                excess -= 1
            }
        }
    }

    /// True when `storageKey` is remembered as a ghost; forgets it.
    func forgetGhost(_ txn: borrowing Transaction, storageKey: UnsafeRawBufferPointer) throws -> Bool {
        guard let ghosts = schema.ghosts, let ghostOrder = schema.ghostOrder else { return false }
        var fingerprint = EntryStore.fingerprint(storageKey).bigEndian
        return try withUnsafeBytes(of: &fingerprint) { mark in
            guard let order = try txn.value(forKey: mark, in: ghosts) else { return false }
            _ = try txn.delete(forKey: mark, in: ghosts)
            if order.count == 8 { _ = try txn.delete(forKey: order, in: ghostOrder) }  // else damaged: check() drops it
            return true
        }
    }

    /// Forgets every ghost (``DiskCache/clear()``).
    func forgetAllGhosts(_ txn: borrowing Transaction) throws {
        if let ghosts = schema.ghosts { try txn.removeAll(in: ghosts) }
        if let ghostOrder = schema.ghostOrder { try txn.removeAll(in: ghostOrder) }
    }

    /// Rows of the two ghost tables that do not name each other (a damaged file); with `repair`,
    /// deletes them.
    func danglingGhostRows(_ txn: borrowing Transaction, repair: Bool) throws -> Int {
        guard let ghosts = schema.ghosts, let ghostOrder = schema.ghostOrder else { return 0 }
        var dangling: [(Database, [UInt8])] = []
        try txn.withCursor(in: ghosts) { cursor in
            try cursor.scan { row in
                let back = try txn.value(forKey: row.value, in: ghostOrder)
                if row.key.count != 8 || row.value.count != 8 || back.map({ $0.elementsEqual(row.key) }) != true {
                    dangling.append((ghosts, Array(row.key)))
                }
                return .continue
            }
        }
        try txn.withCursor(in: ghostOrder) { cursor in
            try cursor.scan { row in
                let forth = try txn.value(forKey: row.value, in: ghosts)
                if row.key.count != 8 || forth.map({ $0.elementsEqual(row.key) }) != true {
                    dangling.append((ghostOrder, Array(row.key)))
                }
                return .continue
            }
        }
        if repair { for (database, key) in dangling { _ = try txn.delete(forKey: key, in: database) } }
        return dangling.count
    }
}
