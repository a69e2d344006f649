#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One shard of the memory backend: a hash table of entries in slots, evicted in exact
/// least-recently-used order (the slots form a doubly linked list, most recently used first: a
/// hit relinks its node in O(1)), with a min-heap of expiry times for O(expired) sweeping. Not
/// thread-safe: its owner locks it.
struct MemoryShard {
    struct Node {
        var key: String
        var value: CacheValue
        var expiresAt: Int64  // ms since the epoch; 0 = never
        var size: Int
        var newer: Int32  // the slot used just after this one (-1: none, this is the newest)
        var older: Int32  // the slot used just before (-1: none, this is the oldest)
        var generation: UInt32
    }

    private(set) var index: [ByteKey: Int32] = [:]
    private var nodes: [Node] = []
    private var free: [Int32] = []
    private var newest: Int32 = -1
    private var oldest: Int32 = -1
    private var expiries = ExpiryHeap()
    private(set) var bytes = 0
    /// The most entries and bytes this shard holds (nil: no bound).
    var maxEntries: Int?
    var maxBytes: Int?

    /// An empty shard holding at most `maxEntries` entries and `maxBytes` bytes.
    init(maxEntries: Int? = nil, maxBytes: Int? = nil) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
    }

    var count: Int { index.count }

    // MARK: Reading

    /// The live node of `key`, marked as used; expired nodes are removed on the way. The clock
    /// is read only for entries that have an expiry.
    @inline(__always)
    mutating func lookUp(_ key: String, clock: CacheClock) -> Int32? {
        guard let slot = index[ByteKey(key)] else { return nil }
        let expiresAt = nodes[Int(slot)].expiresAt
        if expiresAt != 0 && expiresAt <= clock.now() {
            remove(slot)
            return nil
        }
        touch(slot)
        return slot
    }

    /// The live node of `key`, marked as used; expired nodes are removed on the way.
    mutating func lookUp(_ key: String, now: Int64) -> Int32? {
        guard let slot = index[ByteKey(key)] else { return nil }
        if isExpired(slot, now: now) {
            remove(slot)
            return nil
        }
        touch(slot)
        return slot
    }

    /// Makes `slot` the most recently used. An unbounded shard never evicts, so it skips the
    /// bookkeeping (a hit then writes nothing).
    @inline(__always)
    private mutating func touch(_ slot: Int32) {
        guard slot != newest, maxEntries != nil || maxBytes != nil else { return }
        unlink(slot)
        link(slot)
    }

    /// Links `slot` in as the newest.
    private mutating func link(_ slot: Int32) {
        nodes[Int(slot)].older = newest
        nodes[Int(slot)].newer = -1
        if newest >= 0 { nodes[Int(newest)].newer = slot }
        newest = slot
        if oldest < 0 { oldest = slot }
    }

    /// Takes `slot` out of the order.
    private mutating func unlink(_ slot: Int32) {
        let (newer, older) = (nodes[Int(slot)].newer, nodes[Int(slot)].older)
        if newer >= 0 { nodes[Int(newer)].older = older } else { newest = older }
        if older >= 0 { nodes[Int(older)].newer = newer } else { oldest = newer }
        nodes[Int(slot)].newer = -1
        nodes[Int(slot)].older = -1
    }

    /// The keys from the least to the most recently used (for tests of the order; in a bounded
    /// shard only: an unbounded one keeps the order of first storing).
    var keysByUse: [String] {
        var keys: [String] = []
        var slot = oldest
        while slot >= 0 {
            keys.append(nodes[Int(slot)].key)
            slot = nodes[Int(slot)].newer
        }
        return keys
    }

    /// The live node of `key`, without touching the LRU order.
    func peek(_ key: String, now: Int64) -> Int32? {
        guard let slot = index[ByteKey(key)], !isExpired(slot, now: now) else { return nil }
        return slot
    }

    /// The value at `slot` (the node itself is not copied).
    @inline(__always) func value(at slot: Int32) -> CacheValue { nodes[Int(slot)].value }
    /// The expiry at `slot`.
    @inline(__always) func expiresAt(_ slot: Int32) -> Int64 { nodes[Int(slot)].expiresAt }
    /// The size at `slot`.
    @inline(__always) func size(at slot: Int32) -> Int { nodes[Int(slot)].size }

    func isExpired(_ slot: Int32, now: Int64) -> Bool {
        let expiresAt = nodes[Int(slot)].expiresAt
        return expiresAt != 0 && expiresAt <= now
    }

    /// Live keys, in no particular order.
    func liveKeys(now: Int64) -> [String] {
        index.compactMap { key, slot in isExpired(slot, now: now) ? nil : key.string }
    }

    // MARK: Writing

    /// Stores `value` under `key` with `expiresAt` (0 = never) and returns its slot, as the
    /// most recently used entry.
    @discardableResult
    mutating func store(_ key: String, _ value: CacheValue, expiresAt: Int64, size: Int) -> Int32 {
        if let slot = index[ByteKey(key)] {
            bytes += size - nodes[Int(slot)].size
            nodes[Int(slot)].value = value
            nodes[Int(slot)].size = size
            touch(slot)
            setExpiry(slot, expiresAt)
            return slot
        }
        let node = Node(key: key, value: value, expiresAt: 0, size: size, newer: -1, older: -1, generation: 0)
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
            let generation = nodes[Int(slot)].generation &+ 1
            nodes[Int(slot)] = node
            nodes[Int(slot)].generation = generation
        } else {
            slot = Int32(nodes.count)
            nodes.append(node)
        }
        index[ByteKey(key)] = slot
        link(slot)
        bytes += size
        setExpiry(slot, expiresAt)
        return slot
    }

    /// Changes the expiry of a stored node.
    mutating func setExpiry(_ slot: Int32, _ expiresAt: Int64) {
        nodes[Int(slot)].generation &+= 1
        nodes[Int(slot)].expiresAt = expiresAt
        if expiresAt != 0 { expiries.push(.init(time: expiresAt, slot: slot, generation: nodes[Int(slot)].generation)) }
        // Rewritten expiries leave stale heap items behind; rebuild before they pile up.
        if expiries.count > 2 * index.count + 1024 {
            expiries = ExpiryHeap()
            for slot in index.values where nodes[Int(slot)].expiresAt != 0 {
                expiries.push(
                    .init(time: nodes[Int(slot)].expiresAt, slot: slot, generation: nodes[Int(slot)].generation))
            }
        }
    }

    /// Removes the node of `key`; returns whether it was live.
    mutating func remove(_ key: String, now: Int64) -> Bool {
        guard let slot = index[ByteKey(key)] else { return false }
        let live = !isExpired(slot, now: now)
        remove(slot)
        return live
    }

    mutating func remove(_ slot: Int32) {
        unlink(slot)
        index[ByteKey(nodes[Int(slot)].key)] = nil
        bytes -= nodes[Int(slot)].size
        nodes[Int(slot)].value = .bytes([])
        nodes[Int(slot)].key = ""
        nodes[Int(slot)].generation &+= 1
        free.append(slot)
    }

    /// Evicts the least recently used entries until within the bounds; the entry just stored
    /// (`keeping`) is passed over, so a write never evicts its own value. Returns how many it
    /// evicted.
    mutating func evict(keeping kept: Int32? = nil) -> Int {
        var evicted = 0
        var slot = oldest
        while slot >= 0, (maxEntries.map { count > $0 } ?? false) || (maxBytes.map { bytes > $0 } ?? false) {
            let newer = nodes[Int(slot)].newer
            if slot != kept {
                remove(slot)
                evicted += 1
            }
            slot = newer
        }
        return evicted
    }

    /// Removes expired nodes, soonest first: O(expired · log n). Returns how many.
    mutating func sweep(now: Int64, limit: Int = .max) -> Int {
        var removed = 0
        while removed < limit, let top = expiries.top, top.time <= now {
            expiries.pop()
            let slot = Int(top.slot)
            guard nodes[slot].generation == top.generation, !nodes[slot].key.isEmpty, nodes[slot].expiresAt == top.time
            else { continue }
            remove(top.slot)
            removed += 1
        }
        return removed
    }

    mutating func removeAll() {
        self = MemoryShard(maxEntries: maxEntries, maxBytes: maxBytes)
    }

}

/// A key compared and hashed by its UTF-8 bytes, as a disk backend compares keys (Swift's
/// `String` equality would make "café" composed and decomposed one key).
struct ByteKey: Hashable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (lhs: ByteKey, rhs: ByteKey) -> Bool {
        var left = lhs.string
        var right = rhs.string
        return left.withUTF8 { a in
            right.withUTF8 { b in
                a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
            }
        }
    }

    func hash(into hasher: inout Hasher) {
        var copy = string
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// A binary min-heap of expiry times (stale entries are skipped by generation when popped).
struct ExpiryHeap {
    struct Item {
        let time: Int64
        let slot: Int32
        let generation: UInt32
    }

    private var items: [Item] = []

    var top: Item? { items.first }
    var count: Int { items.count }

    mutating func push(_ item: Item) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].time < items[parent].time else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count && items[left].time < items[smallest].time { smallest = left }
            if right < items.count && items[right].time < items[smallest].time { smallest = right }
            guard smallest != parent else { return }
            items.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
