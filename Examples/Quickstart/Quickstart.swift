// The quick start: `make demo` runs this twice. An expensive async function is cached on the
// embedded disk default (`disk://`) with `cached(key:ttl:)`: the first call computes, the second
// is served from the cache, and the second run of the program still finds the values the first
// one stored.
import SwiftCashews

/// Something slow worth caching: pretend to fetch a user profile over the network.
func fetchProfile(id: Int) async throws -> Profile {
    try await Task.sleep(for: .milliseconds(400))
    return Profile(id: id, name: "User \(id)", email: "user\(id)@example.com")
}

struct Profile: Codable, Sendable {
    var id: Int
    var name: String
    var email: String
}

@main
struct Quickstart {
    static func main() async throws {
        Cache.register(.disk)  // disk:// comes with CashewsDisk (part of SwiftCashews)
        let cache = Cache.shared
        let url = CommandLine.arguments.dropFirst().first ?? "disk://"
        try cache.setup(url)
        print("cache: \(url)  (disk:// alone means \(Cache.defaultDiskDirectory))")

        for call in 1...2 {
            let start = ContinuousClock.now
            let profile = try await cache.cached(key: "profile:42", ttl: "1h") { try await fetchProfile(id: 42) }
            let elapsed = ContinuousClock.now - start
            let source = elapsed > .milliseconds(300) ? "computed (slow)" : "served from the cache"
            print("call \(call): \(profile.name) <\(profile.email)> \(source) in \(elapsed)")
        }
        let visits = try await cache.increment("quickstart:runs")
        print(
            visits == 1
                ? "first run: run `make demo` again, the profile stays cached across runs"
                : "run \(visits) of this program on the same cache")
    }
}
