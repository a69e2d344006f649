// Eviction under every policy: each input picks a policy and limits, then runs a sequence of
// writes, reads, deletes and expiry changes on a small bounded cache. After every operation the
// totals stay within the limits; an entry just stored by `set` or granted by `add` is readable
// right after (it is never its own commit's victim); at the end check() finds nothing wrong,
// and after clear() the cache is empty and clean.
import DiskCache
import Foundation

/// Reads the fuzz input as a stream of small choices.
struct Reader {
    let bytes: [UInt8]
    var offset = 0
    var isAtEnd: Bool { offset >= bytes.count }
    mutating func next() -> Int {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return Int(bytes[offset])
    }
}

let clock = ManualClock()
let policies = EvictionPolicy.allCases.filter { $0 != .none }
/// One cache per policy, created on first use (a directory remembers its policy).
nonisolated(unsafe) var caches: [EvictionPolicy: DiskCache] = [:]

func cache(for policy: EvictionPolicy) -> DiskCache {
    if let cache = caches[policy] { return cache }
    let directory = NSTemporaryDirectory() + "fuzz-eviction-\(getpid())-\(policy.rawValue)"
    let cache = try! DiskCache(
        directory: directory,
        configuration: .init(
            sizeLimit: 64 << 10, countLimit: 12, evictionPolicy: policy, durability: .none, blobThreshold: 2048,
            clock: .manual(clock)))
    caches[policy] = cache
    return cache
}

/// libFuzzer's entry point: one sequence of operations.
@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = Reader(bytes: Array(UnsafeBufferPointer(start: data, count: size)))
    let policy = policies[reader.next() % policies.count]
    let cache = cache(for: policy)
    try! cache.clear()
    while !reader.isAtEnd {
        let key = "k\(reader.next() % 24)"
        let operation = reader.next()
        switch operation % 8 {
        case 0, 1, 2:
            // Sizes up to 6 KiB, some above the blob threshold: the byte bound matters too.
            let value = [UInt8](repeating: UInt8(operation), count: reader.next() * 24)
            let expiry: Expiry = operation & 0x80 != 0 ? .after(.milliseconds(Int64(reader.next() + 1))) : .never
            try! cache.set(value, forKey: key, expiry: expiry)
            precondition(try! cache.get(key) == value, "\(policy): the entry just set was evicted by its own commit")
        case 3:
            if try! cache.add([UInt8](repeating: 1, count: reader.next()), forKey: key) {
                precondition(try! cache.contains(key), "\(policy): an add was granted, then its entry was gone")
            }
        case 4, 5:
            _ = try! cache.get(key)
        case 6:
            _ = try! cache.delete(key)
        default:
            clock.advance(by: .milliseconds(Int64(reader.next())))
            _ = try! cache.expire(key, after: .milliseconds(Int64(reader.next() + 1)))
        }
        precondition(try! cache.count <= 12, "\(policy): \(try! cache.count) entries over a limit of 12")
        precondition(try! cache.volume <= 64 << 10, "\(policy): volume \(try! cache.volume) over the limit")
    }
    let report = try! cache.check(orphanGrace: .zero)
    precondition(report.isClean, "\(policy): \(report)")
    try! cache.clear()
    precondition(try! cache.count == 0 && cache.check(orphanGrace: .zero).isClean, "\(policy): clear left entries")
    return 0
}
