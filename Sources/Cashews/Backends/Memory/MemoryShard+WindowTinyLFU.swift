/// The state of W-TinyLFU in one shard (see ``MemoryEvictionPolicy/windowTinyLFU``): the
/// frequency sketch, the regions' weights and targets, and the hill climber that sizes the
/// window.
struct WindowTinyLFU {
    /// The weight each list holds (entries under an entry bound, bytes under a byte bound).
    struct Weights {
        var window = 0
        var probation = 0
        var protected = 0

        subscript(queue: MemoryShard.Queue) -> Int {
            get {
                switch queue {
                case .window: window
                case .probation: probation
                case .protected: protected
                }
            }
            set {
                switch queue {
                case .window: window = newValue
                case .probation: probation = newValue
                case .protected: protected = newValue
                }
            }
        }
    }

    var sketch: FrequencySketch
    var weights = Weights()
    /// The whole shard's capacity in weight units.
    let capacity: Int
    /// The window's target; the rest is the main space, 80% of which may be protected.
    var windowTarget: Int
    var protectedTarget: Int { (capacity - windowTarget) * 4 / 5 }

    // The hill climber: the hit ratio of each sample against the previous one moves the window
    // by a step that decays while the ratio is steady and restarts when it shifts.
    var sampleHits = 0
    var sampleMisses = 0
    var previousHitRatio = 0.0
    var step: Double
    /// Samples taken so far: the first only sets the baseline (a cold cache's hit ratio rises
    /// whatever the window, which would push the window the first way it moved).
    var samples = 0
    let sampleSize: Int
    /// A xorshift state for the rare random admission of a frequent candidate.
    var random: UInt64 = 0x2545_F491_4F6C_DD1D

    static let initialWindowShare = 0.01
    static let stepShare = 0.0625
    static let stepDecay = 0.98
    static let restartThreshold = 0.05

    init(capacity: Int, sketchCapacity: Int) {
        self.capacity = max(1, capacity)
        windowTarget = max(1, Int(Double(capacity) * Self.initialWindowShare))
        sketch = FrequencySketch(capacity: sketchCapacity)
        sampleSize = sketch.sampleSize
        step = -Self.stepShare * Double(capacity)
    }

    /// Counts a lookup in the current sample, and at the sample's end moves the window target.
    mutating func recordLookup(hit: Bool) {
        if hit { sampleHits += 1 } else { sampleMisses += 1 }
        let requests = sampleHits + sampleMisses
        guard requests >= sampleSize else { return }
        let ratio = Double(sampleHits) / Double(requests)
        samples += 1
        if samples == 1 {
            previousHitRatio = ratio
            sampleHits = 0
            sampleMisses = 0
            return
        }
        let change = ratio - previousHitRatio
        let amount = change >= 0 ? step : -step
        step =
            abs(change) >= Self.restartThreshold
            ? Self.stepShare * Double(capacity) * (amount >= 0 ? 1 : -1) : Self.stepDecay * amount
        previousHitRatio = ratio
        sampleHits = 0
        sampleMisses = 0
        windowTarget = min(capacity, max(1, windowTarget + Int(amount.rounded())))
    }

    /// Whether the candidate leaving the window should replace the main space's victim.
    mutating func admits(candidate: UInt32, victim: UInt32) -> Bool {
        let candidateFrequency = sketch.frequency(UInt64(candidate))
        let victimFrequency = sketch.frequency(UInt64(victim))
        if candidateFrequency > victimFrequency { return true }
        // A frequent candidate is admitted now and then, so that an attacker who makes one
        // victim look hot (hash flooding) cannot lock everything else out.
        guard candidateFrequency > 5 else { return false }
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        return random & 127 == 0
    }
}

extension MemoryShard {
    /// The sketch's hash of `key`: FNV-1a over its UTF-8 bytes, finished by a 64-bit mixer, so
    /// that replays are repeatable (the dictionary's seeded hash is not reachable from here).
    static func sketchHash(_ key: String) -> UInt32 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return UInt32(truncatingIfNeeded: hash)
    }

    /// A lookup of `key` that found nothing: counted in the sketch and the sample.
    mutating func recordMiss(_ key: String) {
        tinyLFU!.sketch.increment(UInt64(Self.sketchHash(key)))
        tinyLFU!.recordLookup(hit: false)
    }

    /// A use of `slot` under W-TinyLFU: counted; most recent in the window or in protected; a
    /// probation entry is promoted to protected, which demotes protected's oldest past its share.
    mutating func touchTinyLFU(_ slot: Int32) {
        tinyLFU!.sketch.increment(UInt64(Self.sketchHash(nodes[Int(slot)].key)))
        tinyLFU!.recordLookup(hit: true)
        let queue = nodes[Int(slot)].queue
        unlink(slot)
        link(slot, into: queue == .window ? .window : .protected)
        guard queue == .probation else { return }
        while tinyLFU!.weights.protected > tinyLFU!.protectedTarget {
            let demoted = oldest.protected
            guard demoted >= 0, demoted != slot else { break }
            unlink(demoted)
            link(demoted, into: .probation)
        }
    }

    /// Evicts under W-TinyLFU until within the bounds, never `kept`: the window's oldest
    /// entries past its target become candidates at probation's newest end; while over the
    /// bound, the newest candidate and probation's oldest entry (the victim) are compared by
    /// frequency and the loser is evicted. Returns how many it evicted.
    mutating func evictTinyLFU(keeping kept: Int32?) -> Int {
        var candidates = 0
        while tinyLFU!.weights.window > tinyLFU!.windowTarget {
            let slot = oldest.window
            guard slot >= 0, slot != kept else { break }
            unlink(slot)
            link(slot, into: .probation)
            candidates += 1
        }
        var evicted = 0
        while isOverBound {
            guard let victim = firstEvictable(excluding: kept) else { break }
            let candidate = newest.probation
            if candidates > 0, candidate >= 0, candidate != victim, candidate != kept,
                nodes[Int(victim)].queue == .probation
            {
                candidates -= 1
                let admitted = tinyLFU!.admits(
                    candidate: Self.sketchHash(nodes[Int(candidate)].key),
                    victim: Self.sketchHash(nodes[Int(victim)].key))
                remove(admitted ? victim : candidate)
            } else {
                remove(victim)
            }
            evicted += 1
        }
        return evicted
    }

    /// The oldest entry of probation, else of protected, else of the window, other than `kept`.
    private func firstEvictable(excluding kept: Int32?) -> Int32? {
        for queue in [Queue.probation, .protected, .window] {
            var slot = oldestSlot(of: queue)
            while slot >= 0 {
                if slot != kept { return slot }
                slot = nodes[Int(slot)].newer
            }
        }
        return nil
    }
}
