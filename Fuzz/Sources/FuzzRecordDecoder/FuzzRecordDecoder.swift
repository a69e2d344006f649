// Damaged records with a valid version byte: each input becomes the stored record of a key
// (written under the engine through LMDB, its first byte forced to the format version), and every
// read and write path runs over it. None may trap or return bytes that were never stored; after
// check(repair:) the cache must be clean and usable.
import DiskCache
import Foundation
import LMDB

/// The cache under test and the LMDB view of its records. Globals in a fuzz target are
/// initialized lazily, on first use: build them together, the cache (which creates the
/// directory) first, and open the database before any transaction.
struct Harness {
    let clock = ManualClock()
    let cache: DiskCache
    let environment: Environment
    let entries: Database

    init() {
        let directory = NSTemporaryDirectory() + "fuzz-record-\(getpid())"
        cache = try! DiskCache(
            directory: directory,
            configuration: .init(
                sizeLimit: 1 << 20, countLimit: 4, evictionPolicy: .leastRecentlyUsed, durability: .none,
                blobThreshold: 64, clock: .manual(clock)))
        // The same environment handle (the registry gives one per path per process).
        environment = try! Environment(path: directory)
        entries = try! environment.database(named: "entries")
    }
}

let harness = Harness()
let stored: Set<[UInt8]> = [Array("intact".utf8), [UInt8](repeating: 7, count: 100)]

/// libFuzzer's entry point: one damaged record through every path.
@_cdecl("LLVMFuzzerTestOneInput")
public func test(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let (cache, environment, entries, clock) = (harness.cache, harness.environment, harness.entries, harness.clock)
    var record = Array(UnsafeBufferPointer(start: data, count: size))
    guard !record.isEmpty else { return 0 }
    record[0] = 1  // a valid version byte: the decoder must judge the rest
    try! cache.clear()
    try! cache.set(Array("intact".utf8), forKey: "k")
    try! cache.set([UInt8](repeating: 7, count: 100), forKey: "blob")  // a blob file
    let key = record.count % 2 == 0 ? "k" : "blob"
    try! environment.write { txn in try txn.put(record, forKey: Array(key.utf8), in: entries) }
    clock.advance(by: .milliseconds(Int64(size % 7)))

    if let value = try! cache.get(key) { precondition(stored.contains(value), "get returned bytes never stored") }
    _ = try! cache.withValue(forKey: key) { buffer in
        precondition(stored.contains(Array(buffer)), "withValue returned bytes never stored")
    }
    _ = try? cache.read(key) { _ in }
    _ = try! cache.contains(key)
    _ = try! cache.timeToLive(forKey: key)
    _ = try! cache.valueSize(forKey: key)
    _ = try! cache.keys()
    _ = try! cache.check()
    _ = try? cache.increment(key)
    _ = try! cache.modify(key) { entry in entry = nil }
    try! environment.write { txn in try txn.put(record, forKey: Array(key.utf8), in: entries) }
    _ = try! cache.expire(key, after: .seconds(1))
    _ = try! cache.delete(key)
    try! environment.write { txn in try txn.put(record, forKey: Array(key.utf8), in: entries) }
    for index in 0..<6 { try! cache.set(Array("fill".utf8), forKey: "fill-\(index)") }  // eviction passes over it
    _ = try! cache.sweepExpired()
    try! cache.set(Array("again".utf8), forKey: key)
    precondition(try! cache.get(key) == Array("again".utf8), "a write over a damaged record did not take")
    try! cache.check(repair: true, orphanGrace: .zero)
    let report = try! cache.check(orphanGrace: .zero)
    precondition(report.isClean, "after repair: \(report)")
    return 0
}
