#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One shard of the memory backend: a hash table of entries in slots, evicted in approximately
/// least-recently-used order by the CLOCK algorithm (a hit only sets a bit; the eviction hand
/// gives every recently used entry a second chance), with a min-heap of expiry times for
/// O(expired) sweeping. Not thread-safe: its owner locks it.
struct MemoryShard {
    struct Node {
        var key: String
        var value: CacheValue
        var expiresAt: Int64  // ms since the epoch; 0 = never
        var size: Int
        var referenced: Bool  // used since the hand last passed
        var generation: UInt32
    }

    private(set) var index: [ByteKey: Int32] = [:]
    private var nodes: [Node] = []
    private var free: [Int32] = []
    private var hand = 0  // the CLOCK hand: the next slot eviction looks at
    private var expiries = ExpiryHeap()
    private(set) var bytes = 0

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
        if !nodes[Int(slot)].referenced { nodes[Int(slot)].referenced = true }
        return slot
    }

    /// The live node of `key`, marked as used; expired nodes are removed on the way.
    mutating func lookUp(_ key: String, now: Int64) -> Int32? {
        guard let slot = index[ByteKey(key)] else { return nil }
        if isExpired(slot, now: now) {
            remove(slot)
            return nil
        }
        nodes[Int(slot)].referenced = true
        return slot
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

    /// Stores `value` under `key` with `expiresAt` (0 = never) and returns its slot. A new entry
    /// starts unreferenced; an overwritten one counts as used.
    @discardableResult
    mutating func store(_ key: String, _ value: CacheValue, expiresAt: Int64, size: Int) -> Int32 {
        if let slot = index[ByteKey(key)] {
            bytes += size - nodes[Int(slot)].size
            nodes[Int(slot)].value = value
            nodes[Int(slot)].size = size
            nodes[Int(slot)].referenced = true
            setExpiry(slot, expiresAt)
            return slot
        }
        let node = Node(key: key, value: value, expiresAt: 0, size: size, referenced: false, generation: 0)
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
        index[ByteKey(nodes[Int(slot)].key)] = nil
        bytes -= nodes[Int(slot)].size
        nodes[Int(slot)].value = .bytes([])
        nodes[Int(slot)].key = ""
        nodes[Int(slot)].generation &+= 1
        free.append(slot)
    }

    /// Evicts until within the bounds, in CLOCK order: the hand clears the bit of each used
    /// entry it passes and evicts the first unused one; the entry just stored (`keeping`) is
    /// passed over, so a write never evicts its own value. Returns how many it evicted.
    mutating func evict(maxEntries: Int?, maxBytes: Int?, keeping kept: Int32? = nil) -> Int {
        var evicted = 0
        while count > (kept == nil ? 0 : 1),
            (maxEntries.map { count > $0 } ?? false) || (maxBytes.map { bytes > $0 } ?? false)
        {
            if hand >= nodes.count { hand = 0 }
            defer { hand += 1 }
            guard !nodes[hand].key.isEmpty, Int32(hand) != kept else { continue }  // a free slot, or the new entry
            if nodes[hand].referenced {
                nodes[hand].referenced = false
                continue
            }
            remove(Int32(hand))
            evicted += 1
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
        self = MemoryShard()
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
