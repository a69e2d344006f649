import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A small number that tells the threads of this process apart: the first thread to ask gets 0,
/// the next 1, and so on (assigned once per thread, kept for its life).
///
/// Striped structures (``AtomicStripes``) index their stripes with it, so that up to as many
/// threads as there are stripes never share a cache line.
@_spi(Engine)
public enum ThreadSlot {
    /// The key under which each thread keeps its slot plus one (0: not assigned yet).
    private static let key = makeKey()

    /// A new per-thread key (without a destructor: the values stored are plain integers).
    static func makeKey() -> pthread_key_t {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key, nil)
        precondition(rc == 0, "pthread_key_create failed: \(rc)")
        return key
    }
    private static let next = Atomic<Int>(0)

    /// The calling thread's slot.
    @inline(__always)
    public static var current: Int {
        let stored = Int(bitPattern: pthread_getspecific(key))
        return stored != 0 ? stored &- 1 : assign()
    }

    @inline(never)
    private static func assign() -> Int {
        let slot = next.add(1, ordering: .relaxed).oldValue
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: slot &+ 1))
        return slot
    }
}

/// Atomic integers, each on a cache line of its own, indexed by ``ThreadSlot``: threads that
/// update their own stripe never make another core's cache line bounce.
///
/// A value type over memory its owner frees (``deallocate()``, in the owner's `deinit`): a use
/// copies a pointer and a mask, never retains an object, so the hot paths that use it write no
/// reference count on a line that every thread shares.
@_spi(Engine)
public struct AtomicStripes: @unchecked Sendable {
    // @unchecked: the cells live at a stable heap address until the owner deallocates them, and
    // are only touched through their atomics.
    /// One atomic, padded to 128 bytes (two lines: adjacent-line prefetchers pair them).
    @usableFromInline
    struct Cell: ~Copyable {
        @usableFromInline let value: Atomic<Int>
        private let padding: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) = (
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        )

        init(_ value: Int) { self.value = Atomic(value) }
    }

    /// How many stripes there are: a power of two.
    public let count: Int
    @usableFromInline let mask: Int
    @usableFromInline let cells: UnsafeMutablePointer<Cell>

    /// `minimumCount` stripes (at least one), rounded up to a power of two, each holding 0.
    public init(minimumCount: Int) {
        var count = 1
        while count < minimumCount { count <<= 1 }
        self.count = count
        mask = count - 1
        cells = .allocate(capacity: count)
        for index in 0..<count { (cells + index).initialize(to: Cell(0)) }
    }

    /// Frees the stripes; no copy of this value may be used afterwards.
    public func deallocate() {
        cells.deinitialize(count: count)
        cells.deallocate()
    }

    /// The stripe that `slot` (a ``ThreadSlot``) uses.
    @inlinable @inline(__always)
    public func stripe(for slot: Int) -> Int { slot & mask }

    /// Adds `delta` to stripe `index` (taken modulo the count), with relaxed ordering.
    @inlinable @inline(__always)
    public func add(_ delta: Int, at index: Int) {
        cells[index & mask].value.add(delta, ordering: .relaxed)
    }

    /// Adds `delta` to the calling thread's stripe, with relaxed ordering.
    @inlinable @inline(__always)
    public func add(_ delta: Int) {
        add(delta, at: ThreadSlot.current)
    }

    /// The sum of every stripe (not a snapshot: stripes may change while it is taken).
    public var sum: Int {
        var total = 0
        for index in 0..<count { total &+= cells[index].value.load(ordering: .relaxed) }
        return total
    }

    /// Adds `delta` to stripe `index`, ordered with every other sequentially consistent access
    /// (a reader announcing itself before it checks for a writer).
    @inline(__always)
    func addOrdered(_ delta: Int, at index: Int) {
        cells[index & mask].value.add(delta, ordering: .sequentiallyConsistent)
    }

    /// Subtracts 1 from stripe `index`, releasing what the caller did before.
    @inline(__always)
    func decrementReleasing(at index: Int) {
        cells[index & mask].value.subtract(1, ordering: .releasing)
    }

    /// The value of stripe `index`, ordered with every other sequentially consistent access.
    @inline(__always)
    func loadOrdered(at index: Int) -> Int {
        cells[index & mask].value.load(ordering: .sequentiallyConsistent)
    }

    /// The value of stripe `index`.
    @inline(__always)
    func load(at index: Int) -> Int {
        cells[index & mask].value.load(ordering: .relaxed)
    }

    /// Replaces stripe `index` with `value` and returns what it held (acquiring it).
    @inline(__always)
    func exchange(_ value: Int, at index: Int) -> Int {
        cells[index & mask].value.exchange(value, ordering: .acquiringAndReleasing)
    }

    /// Stores `desired` in stripe `index` if it holds `expected`; true when it did.
    @inline(__always)
    func compareExchange(expected: Int, desired: Int, at index: Int) -> Bool {
        cells[index & mask].value.compareExchange(
            expected: expected, desired: desired, ordering: .acquiringAndReleasing
        )
        .exchanged
    }
}
