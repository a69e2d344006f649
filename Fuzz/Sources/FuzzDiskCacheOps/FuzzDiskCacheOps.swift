// Differential fuzzing of the DiskCache engine: each input is a sequence of operations run on a
// real cache (with blobs, long keys and a manual clock) and on a plain in-memory model of the
// documented semantics. Every result must agree; after the sequence, the live keys must agree
// and check() must find nothing wrong.
import DiskCache
import Foundation

/// The documented semantics, in the plainest code.
struct Model {
    var entries: [String: (value: [UInt8], expiresAt: Int64)] = [:]

    func live(_ key: String, now: Int64) -> (value: [UInt8], expiresAt: Int64)? {
        guard let entry = entries[key], entry.expiresAt == 0 || entry.expiresAt > now else { return nil }
        return entry
    }

    func liveKeys(now: Int64) -> [String] {
        entries.keys.filter { live($0, now: now) != nil }.sorted {
            Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8))
        }
    }
}

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
let directory = NSTemporaryDirectory() + "fuzz-diskcache-\(getpid())"
let cache = try! DiskCache(
    directory: directory,
    configuration: .init(sizeLimit: nil, durability: .none, blobThreshold: 128, clock: .manual(clock)))
let start: Int64 = 1_767_225_600_000

func key(_ reader: inout Reader) -> String {
    let choice = reader.next()
    let base = "k\(choice % 6)"
    return choice & 0x40 != 0 ? base + String(repeating: "L", count: 600) : base
}

func value(_ reader: inout Reader) -> [UInt8] {
    let kind = reader.next()
    switch kind % 4 {
    case 0: return Array(String(Int64(reader.next()) - 128).utf8)  // a decimal integer
    case 1: return []
    case 2: return [UInt8](repeating: UInt8(reader.next()), count: 129 + reader.next() * 3)  // a blob
    default: return (0..<(reader.next() % 40)).map { _ in UInt8(reader.next()) }
    }
}

func expiry(_ reader: inout Reader) -> (Expiry, (Int64, Int64?) -> Int64) {
    let choice = reader.next()
    switch choice % 3 {
    case 0: return (.never, { _, _ in 0 })
    case 1:
        let milliseconds = Int64(1 + choice % 97 * 5)
        return (.after(.milliseconds(milliseconds)), { now, _ in now + milliseconds })
    default: return (.keep, { _, current in current ?? 0 })
    }
}

func parseDecimal(_ bytes: [UInt8]) -> Int64? {
    guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
    let text = String(decoding: bytes, as: UTF8.self)
    guard text.first != "+", let value = Int64(text) else { return nil }
    return value
}

/// The libFuzzer entry point: runs one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDiskCacheOps(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var reader = Reader(bytes: Array(UnsafeBufferPointer(start: data, count: min(size, 512))))
    clock.set(milliseconds: start)
    _ = try! cache.clear()
    var model = Model()
    var step = 0
    while !reader.isAtEnd {
        step += 1
        let now = clock.milliseconds
        switch reader.next() % 12 {
        case 0:
            let k = key(&reader)
            let v = value(&reader)
            let (engineExpiry, modelExpiry) = expiry(&reader)
            try! cache.set(v, forKey: k, expiry: engineExpiry)
            model.entries[k] = (v, modelExpiry(now, model.live(k, now: now)?.expiresAt))
        case 1:
            let k = key(&reader)
            let got = try! cache.get(k)
            precondition(got == model.live(k, now: now)?.value, "step \(step): get \(k)")
        case 2:
            let k = key(&reader)
            let deleted = try! cache.delete(k)
            precondition(deleted == (model.live(k, now: now) != nil), "step \(step): delete \(k)")
            model.entries[k] = nil
        case 3, 4:
            let add = reader.offset > 0 && reader.bytes[reader.offset - 1] % 12 == 3
            let k = key(&reader)
            let v = value(&reader)
            let (engineExpiry, modelExpiry) = expiry(&reader)
            let live = model.live(k, now: now)
            let stored =
                add
                ? try! cache.add(v, forKey: k, expiry: engineExpiry)
                : try! cache.replace(v, forKey: k, expiry: engineExpiry)
            precondition(stored == (add ? live == nil : live != nil), "step \(step): \(add ? "add" : "replace") \(k)")
            if stored { model.entries[k] = (v, modelExpiry(now, live?.expiresAt)) }
        case 5:
            let k = key(&reader)
            let delta = Int64(reader.next()) - 100
            let live = model.live(k, now: now)
            let current = live.map { parseDecimal($0.value) } ?? 0
            let expected: Int64?
            if let current {
                let (sum, overflow) = current.addingReportingOverflow(delta)
                expected = overflow ? nil : sum
            } else {
                expected = nil
            }
            do {
                let result = try cache.increment(k, by: delta)
                precondition(
                    result == expected,
                    "step \(step): increment \(k) gave \(result), model \(String(describing: expected))")
                model.entries[k] = (Array(String(result).utf8), live?.expiresAt ?? 0)
            } catch is DiskCacheError {
                precondition(expected == nil, "step \(step): increment \(k) failed, model \(expected!)")
            } catch {
                preconditionFailure("untyped error \(error)")
            }
        case 6:
            let k = key(&reader)
            let milliseconds = Int64(1 + reader.next())
            let changed = try! cache.expire(k, after: .milliseconds(milliseconds))
            precondition(changed == (model.live(k, now: now) != nil), "step \(step): expire \(k)")
            if changed { model.entries[k]!.expiresAt = now + milliseconds }
        case 7:
            let k = key(&reader)
            let changed = try! cache.persist(k)
            let live = model.live(k, now: now)
            precondition(changed == (live != nil && live!.expiresAt != 0), "step \(step): persist \(k)")
            if changed { model.entries[k]!.expiresAt = 0 }
        case 8:
            clock.advance(by: .milliseconds(Int64(reader.next()) * 3))
        case 9:
            _ = try! cache.sweepExpired(limit: 1 + reader.next() % 8)
        case 10:
            let prefix = "k\(reader.next() % 6)"
            let expected = model.entries.keys.filter { $0.hasPrefix(prefix) && model.live($0, now: now) != nil }.count
            let deleted = try! cache.delete(matching: prefix + "*")
            precondition(deleted == expected, "step \(step): delete(matching: \(prefix)*) \(deleted) vs \(expected)")
            for k in model.entries.keys where k.hasPrefix(prefix) { model.entries[k] = nil }
        default:
            let k = key(&reader)
            let ttl = try! cache.timeToLive(forKey: k)
            let expected: TimeToLive? = model.live(k, now: now).map {
                $0.expiresAt == 0 ? .forever : .remaining(.milliseconds($0.expiresAt - now))
            }
            precondition(
                ttl == expected, "step \(step): ttl \(k) \(String(describing: ttl)) vs \(String(describing: expected))")
        }
    }
    let now = clock.milliseconds
    let keys = try! cache.keys()
    precondition(keys == model.liveKeys(now: now), "live keys \(keys) vs model \(model.liveKeys(now: now))")
    let report = try! cache.check(orphanGrace: .zero)
    precondition(report.isClean, "check: \(report)")
    return 0
}
