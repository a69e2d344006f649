// A `@Cached` hit against the hand-written `cached` call it expands to, on a memory cache.
//
//   swift build -c release --product MacroBenchmark
//   .build/release/MacroBenchmark decorated 100000      # or: handwritten, none (setup and warm-up only)
//
// The program prints the wall time per call (indicative on a shared machine); `both [calls]
// [rounds]` alternates blocks of each in one process and reports the median ratio, and
// Benchmarks/Macros/compare.sh alternates processes of each.
import CashewsMacros
import Foundation

struct User: Codable, Sendable {
    var id: Int
    var name: String
}

@Cached(ttl: "5m", key: "user:{userID}")
func decoratedUser(userID: Int) async throws -> User {
    User(id: userID, name: "user \(userID)")
}

func handWrittenUser(userID: Int) async throws -> User {
    try await Cache.shared.cached(key: "user:\(userID)", ttl: "5m") {
        User(id: userID, name: "user \(userID)")
    }
}

let arguments = CommandLine.arguments.dropFirst()
let mode = arguments.first ?? "decorated"
let calls = arguments.dropFirst().first.flatMap { Int($0) } ?? 100_000
guard ["decorated", "handwritten", "none", "both"].contains(mode) else {
    print("usage: MacroBenchmark decorated|handwritten|none [calls] | both [calls] [rounds]")
    exit(2)
}
/// The time of `calls` hits of one function, off the main actor (top-level code runs on it, and
/// each call from there would hop to the global executor and back, which costs more than a hit).
@concurrent
func measure(_ mode: String, calls: Int) async throws -> (elapsed: Duration, checksum: Int) {
    var checksum = 0
    let start = ContinuousClock.now
    if mode == "decorated" {
        for _ in 0..<calls { checksum &+= try await decoratedUser(userID: 42).id }
    } else if mode == "handwritten" {
        for _ in 0..<calls { checksum &+= try await handWrittenUser(userID: 42).id }
    }
    return (ContinuousClock.now - start, checksum)
}

try Cache.shared.setup("mem://")
// Warm up: the first call stores the value, and both functions read the same key.
_ = try await decoratedUser(userID: 42)
_ = try await handWrittenUser(userID: 42)
if mode == "both" {
    // Interleaved blocks of each in one process: the load of a shared machine hits both alike.
    let rounds = arguments.dropFirst(2).first.flatMap { Int($0) } ?? 15
    var decorated: [Double] = []
    var handWritten: [Double] = []
    for _ in 0..<rounds {
        decorated.append(try await measure("decorated", calls: calls).elapsed / .nanoseconds(1) / Double(calls))
        handWritten.append(try await measure("handwritten", calls: calls).elapsed / .nanoseconds(1) / Double(calls))
    }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
    let ratios = zip(decorated, handWritten).map { $0 / $1 }
    print("\(rounds) interleaved rounds of \(calls) hits (memory backend)")
    print("@Cached hit:          median \(rounded(median(decorated))) ns per call")
    print("hand-written cached:  median \(rounded(median(handWritten))) ns per call")
    print(
        "@Cached / hand-written per round: median \(rounded(median(ratios)))"
            + " (min \(rounded(ratios.min()!)), max \(rounded(ratios.max()!)))")
    exit(0)
}
let (elapsed, checksum) = try await measure(mode, calls: calls)
let nanoseconds = calls > 0 && mode != "none" ? elapsed / .nanoseconds(1) / Double(calls) : 0
print("\(mode): \(calls) hits, \((nanoseconds * 10).rounded() / 10) ns per call (checksum \(checksum))")
