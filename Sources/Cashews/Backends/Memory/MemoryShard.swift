/// One shard of the memory backend: a hash table of entries in slots, evicted in exact
/// least-recently-used order or by W-TinyLFU (see ``MemoryEvictionPolicy``). The slots form
/// doubly linked lists, most recently used first (one list for LRU; the window, probation and
/// protected lists for W-TinyLFU): a hit relinks its node in O(1). A min-heap of expiry times
/// gives O(expired) sweeping. Not thread-safe: its owner locks it.
struct MemoryShard {
    struct Node {
        // 80 bytes: the fields ordered so that the small ones pack after the value; no sketch
        // hash (recomputed from the key under W-TinyLFU) and no generation (a heap item is
        // current when the node still expires at its time).
        var key: String
        var expiresAt: Int64  // ms since the epoch; 0 = never
        var value: CacheValue
        var queue: Queue
        /// The size, or `UInt32.max` for a size that does not fit (then read from the value).
        private var storedSize: UInt32
        var newer: Int32  // the slot used just after this one in its list (-1: none, the newest)
        var older: Int32  // the slot used just before (-1: none, the oldest)

        init(key: String, expiresAt: Int64, value: CacheValue, queue: Queue, size: Int) {
            self.key = key
            self.expiresAt = expiresAt
            self.value = value
            self.queue = queue
            storedSize = UInt32(clamping: size)
            newer = -1
            older = -1
        }

        /// The value's size as stored (``ValueCodec/estimatedSize(of:)`` of the value, which
        /// is what the backend stores it with).
        var size: Int {
            get { storedSize == .max ? ValueCodec.estimatedSize(of: value) : Int(storedSize) }
            set { storedSize = UInt32(clamping: newValue) }
        }
    }

    /// The list a node is in: LRU has one; W-TinyLFU has three.
    enum Queue: UInt8 {
        case window = 0, probation, protected
    }

    /// The slots of the keys.
    private var index = SlotTable()
    var nodes: [Node] = []
    private var free: [Int32] = []
    var newest: (window: Int32, probation: Int32, protected: Int32) = (-1, -1, -1)
    var oldest: (window: Int32, probation: Int32, protected: Int32) = (-1, -1, -1)
    private var expiries = ExpiryHeap()
    private(set) var bytes = 0
    /// The most entries and bytes this shard holds (nil: no bound).
    let maxEntries: Int?
    let maxBytes: Int?
    /// The W-TinyLFU state, nil for LRU and for an unbounded shard.
    var tinyLFU: WindowTinyLFU?

    /// An empty shard holding at most `maxEntries` entries and `maxBytes` bytes, evicting by
    /// `policy`.
    init(maxEntries: Int? = nil, maxBytes: Int? = nil, policy: MemoryEvictionPolicy = .leastRecentlyUsed) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        if policy == .windowTinyLFU, let capacity = maxEntries ?? maxBytes {
            tinyLFU = WindowTinyLFU(capacity: capacity, sketchCapacity: maxEntries ?? max(16, capacity / 1024))
        }
    }

    var count: Int { index.count }

    /// The slot of `key` (live or expired), if it is stored.
    @inline(__always)
    func slot(of key: String, hash: UInt32? = nil) -> Int32? {
        index.find(hash: hash ?? SlotTable.hash(key)) { SlotTable.sameBytes(nodes[Int($0)].key, key) }
    }

    /// The policy it evicts by.
    var policy: MemoryEvictionPolicy { tinyLFU == nil ? .leastRecentlyUsed : .windowTinyLFU }

    // MARK: Reading

    /// The live node of `key`, marked as used; expired nodes are removed on the way. The clock
    /// is read only for entries that have an expiry.
    @inline(__always)
    mutating func lookUp(_ key: String, clock: CacheClock) -> Int32? {
        guard let slot = slot(of: key) else {
            if tinyLFU != nil { recordMiss(key) }
            return nil
        }
        let expiresAt = nodes[Int(slot)].expiresAt
        if expiresAt != 0 && expiresAt <= clock.now() {
            remove(slot)
            if tinyLFU != nil { recordMiss(key) }
            return nil
        }
        touch(slot)
        return slot
    }

    /// The live node of `key`, marked as used; expired nodes are removed on the way.
    mutating func lookUp(_ key: String, now: Int64) -> Int32? {
        guard let slot = slot(of: key) else {
            if tinyLFU != nil { recordMiss(key) }
            return nil
        }
        if isExpired(slot, now: now) {
            remove(slot)
            if tinyLFU != nil { recordMiss(key) }
            return nil
        }
        touch(slot)
        return slot
    }

    /// Marks `slot` as used: the most recently used for LRU; for W-TinyLFU, also counted in the
    /// sketch and promoted from probation to protected. An unbounded shard never evicts, so it
    /// skips the bookkeeping (a hit then writes nothing).
    @inline(__always)
    private mutating func touch(_ slot: Int32) {
        if tinyLFU != nil { return touchTinyLFU(slot) }
        guard slot != newest.window, maxEntries != nil || maxBytes != nil else { return }
        unlink(slot)
        link(slot, into: .window)
    }

    /// Links `slot` in as the newest of `queue`.
    mutating func link(_ slot: Int32, into queue: Queue) {
        nodes[Int(slot)].queue = queue
        let first = newestSlot(of: queue)
        nodes[Int(slot)].older = first
        nodes[Int(slot)].newer = -1
        if first >= 0 { nodes[Int(first)].newer = slot }
        setNewest(slot, of: queue)
        if oldestSlot(of: queue) < 0 { setOldest(slot, of: queue) }
        if tinyLFU != nil { tinyLFU!.weights[queue] += weight(of: slot) }
    }

    /// Takes `slot` out of its list.
    mutating func unlink(_ slot: Int32) {
        let queue = nodes[Int(slot)].queue
        let (newer, older) = (nodes[Int(slot)].newer, nodes[Int(slot)].older)
        if newer >= 0 { nodes[Int(newer)].older = older } else { setNewest(older, of: queue) }
        if older >= 0 { nodes[Int(older)].newer = newer } else { setOldest(newer, of: queue) }
        nodes[Int(slot)].newer = -1
        nodes[Int(slot)].older = -1
        if tinyLFU != nil { tinyLFU!.weights[queue] -= weight(of: slot) }
    }

    /// What an entry counts for in the W-TinyLFU regions: 1 under an entry bound, else its size.
    @inline(__always)
    func weight(of slot: Int32) -> Int { maxEntries != nil ? 1 : nodes[Int(slot)].size }

    @inline(__always)
    func newestSlot(of queue: Queue) -> Int32 {
        switch queue {
        case .window: newest.window
        case .probation: newest.probation
        case .protected: newest.protected
        }
    }

    @inline(__always)
    func oldestSlot(of queue: Queue) -> Int32 {
        switch queue {
        case .window: oldest.window
        case .probation: oldest.probation
        case .protected: oldest.protected
        }
    }

    @inline(__always)
    private mutating func setNewest(_ slot: Int32, of queue: Queue) {
        switch queue {
        case .window: newest.window = slot
        case .probation: newest.probation = slot
        case .protected: newest.protected = slot
        }
    }

    @inline(__always)
    private mutating func setOldest(_ slot: Int32, of queue: Queue) {
        switch queue {
        case .window: oldest.window = slot
        case .probation: oldest.probation = slot
        case .protected: oldest.protected = slot
        }
    }

    /// The keys from the least to the most recently used (for tests of the order; in a bounded
    /// shard only: an unbounded one keeps the order of first storing). For W-TinyLFU: the
    /// probation, protected and window lists, in that order.
    var keysByUse: [String] {
        var keys: [String] = []
        for queue in [Queue.probation, .protected, .window] {
            var slot = oldestSlot(of: queue)
            while slot >= 0 {
                keys.append(nodes[Int(slot)].key)
                slot = nodes[Int(slot)].newer
            }
        }
        return keys
    }

    /// The live node of `key`, without touching the LRU order.
    func peek(_ key: String, now: Int64) -> Int32? {
        guard let slot = slot(of: key), !isExpired(slot, now: now) else { return nil }
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
        index.slots.compactMap { slot in isExpired(slot, now: now) ? nil : nodes[Int(slot)].key }
    }

    // MARK: Writing

    /// Stores `value` under `key` with `expiresAt` (0 = never) and returns its slot, as the
    /// most recently used entry.
    @discardableResult
    mutating func store(_ key: String, _ value: CacheValue, expiresAt: Int64, size: Int) -> Int32 {
        let keyHash = SlotTable.hash(key)
        if let slot = slot(of: key, hash: keyHash) {
            if tinyLFU != nil {
                // The size may change the weight of its region: out, resized, back in, used.
                let queue = nodes[Int(slot)].queue
                unlink(slot)
                bytes += size - nodes[Int(slot)].size
                nodes[Int(slot)].size = size
                link(slot, into: queue)
            } else {
                bytes += size - nodes[Int(slot)].size
                nodes[Int(slot)].size = size
            }
            nodes[Int(slot)].value = value
            touch(slot)
            setExpiry(slot, expiresAt)
            return slot
        }
        let node = Node(key: key, expiresAt: 0, value: value, queue: .window, size: size)
        let slot: Int32
        if let reused = free.popLast() {
            slot = reused
            nodes[Int(slot)] = node
        } else {
            slot = Int32(nodes.count)
            nodes.append(node)
        }
        index.insert(slot, hash: keyHash)
        bytes += size
        link(slot, into: .window)
        setExpiry(slot, expiresAt)
        return slot
    }

    /// Changes the expiry of a stored node.
    mutating func setExpiry(_ slot: Int32, _ expiresAt: Int64) {
        nodes[Int(slot)].expiresAt = expiresAt
        if expiresAt != 0 { expiries.push(.init(time: expiresAt, slot: slot)) }
        // Rewritten expiries leave stale heap items behind; rebuild before they pile up.
        if expiries.count > 2 * index.count + 1024 {
            expiries = ExpiryHeap()
            for slot in index.slots where nodes[Int(slot)].expiresAt != 0 {
                expiries.push(.init(time: nodes[Int(slot)].expiresAt, slot: slot))
            }
        }
    }

    /// Removes the node of `key`; returns whether it was live.
    mutating func remove(_ key: String, now: Int64) -> Bool {
        guard let slot = slot(of: key) else { return false }
        let live = !isExpired(slot, now: now)
        remove(slot)
        return live
    }

    mutating func remove(_ slot: Int32) {
        unlink(slot)
        index.remove(slot, hash: SlotTable.hash(nodes[Int(slot)].key))
        bytes -= nodes[Int(slot)].size
        nodes[Int(slot)].value = .bytes([])
        nodes[Int(slot)].key = ""
        nodes[Int(slot)].expiresAt = 0
        free.append(slot)
    }

    /// Whether it holds more than its bounds allow.
    @inline(__always)
    var isOverBound: Bool { (maxEntries.map { count > $0 } ?? false) || (maxBytes.map { bytes > $0 } ?? false) }

    /// Evicts entries until within the bounds (least recently used first, or by W-TinyLFU); the
    /// entry just stored (`keeping`) is passed over, so a write never evicts its own value.
    /// Returns how many it evicted.
    mutating func evict(keeping kept: Int32? = nil) -> Int {
        if tinyLFU != nil { return evictTinyLFU(keeping: kept) }
        var evicted = 0
        var slot = oldest.window
        while slot >= 0, isOverBound {
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
            // A stale item (the node was removed, or its expiry rewritten) names a node that no
            // longer expires at its time; a node that does is expired now, whichever item names it.
            guard !nodes[slot].key.isEmpty, nodes[slot].expiresAt == top.time else { continue }
            remove(top.slot)
            removed += 1
        }
        return removed
    }

    mutating func removeAll() {
        self = MemoryShard(maxEntries: maxEntries, maxBytes: maxBytes, policy: policy)
    }

}

/// A binary min-heap of expiry times (stale entries are skipped when popped: their node no
/// longer expires at their time).
struct ExpiryHeap {
    struct Item {
        let time: Int64
        let slot: Int32
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
