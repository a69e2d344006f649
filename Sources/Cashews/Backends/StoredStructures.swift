/// A field of unsigned `size`-bit saturating counters, stored as bytes (bit 0 of counter 0 is
/// the high bit of byte 0), as Redis `BITFIELD u<size>` with `OVERFLOW SAT`.
struct BitField {
    private(set) var bytes: [UInt8]
    let size: Int

    init(bytes: [UInt8], size: Int) {
        self.bytes = bytes
        self.size = size
    }

    static func validate(indexes: [Int], size: Int) throws {
        guard (1...32).contains(size) else {
            throw CashewsError.invalidArgument("bit counter size \(size): use 1...32 bits")
        }
        if let bad = indexes.first(where: { $0 < 0 || $0 > (1 << 26) }) {
            throw CashewsError.invalidArgument("bit index \(bad): use 0...\(1 << 26)")
        }
    }

    private var maximum: UInt64 { (1 << UInt64(size)) - 1 }

    subscript(index: Int) -> UInt64 {
        var value: UInt64 = 0
        for bit in (index * size)..<((index + 1) * size) {
            let byte = bit / 8
            let set = byte < bytes.count && bytes[byte] & (0x80 >> UInt8(bit % 8)) != 0
            value = value << 1 | (set ? 1 : 0)
        }
        return value
    }

    private mutating func store(_ value: UInt64, at index: Int) {
        let lastByte = ((index + 1) * size - 1) / 8
        if bytes.count <= lastByte { bytes += [UInt8](repeating: 0, count: lastByte + 1 - bytes.count) }
        for (offset, bit) in ((index * size)..<((index + 1) * size)).enumerated() {
            let on = value >> UInt64(size - 1 - offset) & 1 == 1
            let mask: UInt8 = 0x80 >> UInt8(bit % 8)
            bytes[bit / 8] = on ? bytes[bit / 8] | mask : bytes[bit / 8] & ~mask
        }
    }

    /// Adds `delta`, saturating at 0 and at the maximum; returns the new value.
    mutating func add(_ delta: Int64, at index: Int) -> UInt64 {
        let current = self[index]
        let next: UInt64
        if delta >= 0 {
            next = min(maximum, current &+ UInt64(delta) < current ? maximum : current &+ UInt64(delta))
        } else {
            let decrease = delta.magnitude
            next = decrease >= current ? 0 : current - decrease
        }
        store(next, at: index)
        return next
    }
}

/// The hits of a sliding window: sorted millisecond timestamps, 8 bytes each.
struct SlidingWindow {
    private var times: [Int64]

    init(bytes: [UInt8]) {
        times = stride(from: 0, to: bytes.count - bytes.count % 8, by: 8).map { offset in
            bytes[offset..<offset + 8].enumerated().reduce(Int64(0)) { $0 | Int64($1.element) << (8 * $1.offset) }
        }
    }

    var bytes: [UInt8] {
        times.flatMap { time in (0..<8).map { UInt8(truncatingIfNeeded: time >> (8 * $0)) } }
    }

    mutating func forget(before start: Int64) { times.removeAll { $0 < start } }

    func count(from start: Int64, to end: Int64) -> Int { times.filter { $0 >= start && $0 <= end }.count }

    mutating func record(_ time: Int64) {
        let position = times.firstIndex { $0 > time } ?? times.count
        times.insert(time, at: position)
    }
}

/// A set of strings, stored sorted as `[length: 4 bytes LE][UTF-8]…`.
struct StringSet {
    private(set) var members: [String]

    init(bytes: [UInt8]) {
        self.members = StringSet(parsing: bytes)?.members ?? []
    }

    /// Parses a stored set; nil when the bytes are not one (another kind of value is stored).
    init?(parsing bytes: [UInt8]) {
        var members: [String] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else { return nil }
            let length = bytes[offset..<offset + 4].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            offset += 4
            guard length <= bytes.count - offset else { return nil }
            members.append(String(decoding: bytes[offset..<offset + length], as: UTF8.self))
            offset += length
        }
        self.members = members.sorted()
    }

    /// The set stored in `entry` (empty when absent); throws when another kind of value is there.
    static func stored(in entry: [UInt8]?, key: String) throws -> StringSet {
        guard let bytes = entry else { return StringSet(bytes: []) }
        guard let set = StringSet(parsing: bytes) else {
            throw CashewsError.invalidArgument("\"\(key)\" holds a value that is not a set; delete it first")
        }
        return set
    }

    var bytes: [UInt8] {
        members.flatMap { member -> [UInt8] in
            let utf8 = Array(member.utf8)
            return (0..<4).map { UInt8(truncatingIfNeeded: utf8.count >> (8 * $0)) } + utf8
        }
    }

    var isEmpty: Bool { members.isEmpty }

    mutating func insert(_ member: String) -> Bool {
        let position = members.firstIndex { $0 >= member } ?? members.count
        if position < members.count && members[position] == member { return false }
        members.insert(member, at: position)
        return true
    }

    mutating func remove(_ member: String) -> Bool {
        guard let position = members.firstIndex(of: member) else { return false }
        members.remove(at: position)
        return true
    }

    mutating func popFirst(_ count: Int) -> [String] {
        let popped = Array(members.prefix(count))
        members.removeFirst(popped.count)
        return popped
    }
}
