import DiskCache

/// Fills `cache` with `keys` entries "key-0000000000", "key-0000000001", … of `value`, 10,000 per
/// transaction: the preload of the workloads that read, evict or sweep what is already there.
func fillInBatches(_ cache: DiskCache, keys: Int, value: [UInt8], expiry: Expiry = .never) throws {
    var key = KeyFormatter(prefix: "key-")
    for start in stride(from: 0, to: keys, by: 10_000) {
        var batch: [(key: String, value: [UInt8])] = []
        batch.reserveCapacity(min(10_000, keys - start))
        for i in start..<min(start + 10_000, keys) {
            key.set(UInt32(i))
            batch.append((key.string, value))
        }
        try cache.set(batch, expiry: expiry)
    }
}
