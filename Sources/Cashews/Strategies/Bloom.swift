import Foundation

/// The shape of a Bloom filter kept in a cache: how many bits and hashes a capacity and a
/// false-positive rate need, and where the bits of an element are.
///
/// - Bits: `m = ceil(-n·ln p / ln²2)`; hashes: `k = round(m/n·ln 2)` (cashews' `params_for`),
///   with `p` a fraction (cashews takes a percentage).
/// - The filter is one key, `<name>:<m>`, of 1-bit counters (``Cache/getBits(_:at:size:)``,
///   ``Cache/incrementBits(_:at:size:by:)``), so a change of capacity or rate starts a new one.
/// - The `k` bit indexes of an element come from double hashing of FNV-1a 64 of its UTF-8 bytes
///   (two finalised halves): stable across processes and runs, unlike Swift's seeded `Hasher`.
public struct BloomFilter: Sendable, Hashable {
    /// Names the filter.
    public let name: String
    /// The number of elements it is sized for.
    public let capacity: Int
    /// The false-positive rate at capacity, as a fraction (0.01 = 1 %).
    public let falsePositiveRate: Double
    /// Its size in bits (`m`).
    public let bitCount: Int
    /// Bits per element (`k`).
    public let hashCount: Int

    /// A filter named `name` for `capacity` elements with `falsePositiveRate` (a fraction in
    /// 0 < rate < 1).
    ///
    /// - Throws: ``CashewsError/invalidArgument(_:)`` for a capacity below 1, a rate out of
    ///   range, or a filter larger than 2^26 bits.
    public init(name: String, capacity: Int, falsePositiveRate: Double = 0.01) throws {
        guard capacity > 0 else {
            throw CashewsError.invalidArgument("a Bloom filter capacity of \(capacity): use 1 or more")
        }
        guard falsePositiveRate > 0 && falsePositiveRate < 1 else {
            throw CashewsError.invalidArgument(
                "a false-positive rate of \(falsePositiveRate): use a fraction in 0 < rate < 1 (0.01 = 1 %)")
        }
        let n = Double(capacity)
        let m = (-n * log(falsePositiveRate) / (log(2) * log(2))).rounded(.up)
        guard m <= Double(1 << 26) else {
            throw CashewsError.invalidArgument(
                "a Bloom filter of \(m) bits: the most is 2^26; lower the capacity or raise the false-positive rate")
        }
        self.name = name
        self.capacity = capacity
        self.falsePositiveRate = falsePositiveRate
        bitCount = Int(m)
        hashCount = max(1, Int((m / n * log(2)).rounded()))
    }

    /// The key that holds the bits.
    public var key: String { "\(name):\(bitCount)" }

    /// The bit indexes of `element`.
    public func indexes(of element: String) -> [Int] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in element.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let first = BloomFilter.finalised(hash)
        let second = BloomFilter.finalised(hash ^ 0x9E37_79B9_7F4A_7C15) | 1
        let m = UInt64(bitCount)
        return (0..<UInt64(hashCount)).map { Int((first &+ $0 &* second) % m) }
    }

    /// SplitMix64's finaliser: spreads FNV's bits.
    private static func finalised(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Cache {
    /// Adds `element` to `filter`.
    nonisolated(nonsending) public func insert(_ element: String, into filter: BloomFilter) async throws {
        try await incrementBits(filter.key, at: filter.indexes(of: element))
    }

    /// False when `element` is certainly not in `filter`; true when it may be.
    nonisolated(nonsending) public func mightContain(_ element: String, in filter: BloomFilter) async throws -> Bool {
        try await getBits(filter.key, at: filter.indexes(of: element)).allSatisfy { $0 != 0 }
    }

    /// Answers "is `key` in the set?" from `filter`: false at once when the filter rules it out;
    /// otherwise `check`'s answer (or true without calling it when `checkFalsePositives` is
    /// false). Fill the filter with ``insert(_:into:)``.
    ///
    /// ```swift
    /// let users = try BloomFilter(name: "users", capacity: 100_000, falsePositiveRate: 0.01)
    /// let exists = try await cache.bloom(key: name, in: users) { try await db.userExists(name) }
    /// ```
    nonisolated(nonsending) public func bloom(
        key: String, in filter: BloomFilter, checkFalsePositives: Bool = true,
        _ check: @Sendable () async throws -> Bool
    ) async throws -> Bool {
        guard try await mightContain(key, in: filter) else { return false }
        return checkFalsePositives ? try await check() : true
    }

    /// Answers "is `key` in the set?" from two filters that learn from `check` (no filling
    /// needed): `<filter>:true` and `<filter>:false` hold the keys answered true and false.
    /// A key in neither is checked and added to the filter of its answer; a key in exactly one
    /// gets that filter's answer (false positives and false negatives are both possible, at
    /// about the filter's rate); a key in both is checked again.
    nonisolated(nonsending) public func dualBloom(
        key: String, in filter: BloomFilter, _ check: @Sendable () async throws -> Bool
    )
        async throws -> Bool
    {
        let trueKey = filter.key + ":true"
        let falseKey = filter.key + ":false"
        let trueIndexes = filter.indexes(of: key + ":true")
        let falseIndexes = filter.indexes(of: key + ":false")
        let inTrue = try await getBits(trueKey, at: trueIndexes).allSatisfy { $0 != 0 }
        let inFalse = try await getBits(falseKey, at: falseIndexes).allSatisfy { $0 != 0 }
        switch (inTrue, inFalse) {
        case (true, false): return true
        case (false, true): return false
        case (true, true): return try await check()
        case (false, false):
            let answer = try await check()
            try await incrementBits(answer ? trueKey : falseKey, at: answer ? trueIndexes : falseIndexes)
            return answer
        }
    }
}
