import CLMDB

/// Reset read transactions kept for reuse, one per slot, each slot on a cache line of its own.
///
/// A thread takes from, and parks in, its home slot (its ``ThreadSlot`` modulo the slot count),
/// so up to as many threads as there are slots never touch each other's lines and never wait: a
/// take is one atomic exchange, a park one compare-and-exchange. A thread whose home is empty (or
/// full, when parking) looks at a few neighbouring slots, then begins (or aborts) a transaction.
/// A reset transaction opened with `MDB_NOTLS` belongs to no thread, so any thread may renew one
/// that another parked.
///
/// A value type over memory its owner frees (``deallocate()``): a read copies two words, and
/// retains no object.
struct ReadTransactionPool: Sendable {
    /// The parked transactions' addresses (0: an empty slot).
    private let slots: AtomicStripes
    /// How many slots a take or a park looks at, from the home slot on (0: the pool keeps none).
    private let probes: Int

    /// A pool of `capacity` slots (rounded up to a power of two); none when it is 0.
    init(capacity: Int) {
        slots = AtomicStripes(minimumCount: capacity)
        probes = capacity > 0 ? min(slots.count, 4) : 0
    }

    /// Frees the slots (after ``drain()``); no copy of the pool may be used afterwards.
    func deallocate() { slots.deallocate() }

    /// A parked transaction, preferably from the home slot of `slot`; nil when none is near.
    @inline(__always)
    func take(near slot: Int) -> OpaquePointer? {
        for probe in 0..<probes {
            let index = slot &+ probe
            // A plain load first: an empty neighbour costs no write to another thread's line.
            guard slots.load(at: index) != 0 else { continue }
            let taken = slots.exchange(0, at: index)
            if let txn = OpaquePointer(bitPattern: taken) { return txn }
        }
        return nil
    }

    /// Parks a reset transaction, preferably in the home slot of `slot`; false when every slot
    /// near it is taken (the caller aborts it).
    @inline(__always)
    func park(_ txn: OpaquePointer, near slot: Int) -> Bool {
        let address = Int(bitPattern: txn)
        for probe in 0..<probes where slots.compareExchange(expected: 0, desired: address, at: slot &+ probe) {
            return true
        }
        return false
    }

    /// Takes every parked transaction (to abort them: on close, or to free reader slots).
    func drain() -> [OpaquePointer] {
        guard probes > 0 else { return [] }
        return (0..<slots.count).compactMap { OpaquePointer(bitPattern: slots.exchange(0, at: $0)) }
    }
}
