// The quick start: `make demo` runs this twice. An expensive async function is cached on the
// embedded disk default (`disk://`): the first call computes, the second is served from the
// cache, and the second run of the program still finds the values the first one stored.
import Cashews
import Foundation

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

/// The cached version: look the profile up first, compute and store it on a miss.
func cachedProfile(id: Int, in cache: Cache) async throws -> (Profile, fromCache: Bool) {
    let key = "profile:\(id)"
    if let hit = try await cache.get(key, as: Profile.self) { return (hit, true) }
    let profile = try await fetchProfile(id: id)
    try await cache.set(key, profile, ttl: "1h")
    return (profile, false)
}

@main
struct Quickstart {
    static func main() async throws {
        let cache = Cache.shared
        let url = CommandLine.arguments.dropFirst().first ?? "disk://"
        try cache.setup(url)
        print("cache: \(url)  (disk:// alone means \(Cache.defaultDiskDirectory))")

        for call in 1...2 {
            let start = ContinuousClock.now
            let (profile, fromCache) = try await cachedProfile(id: 42, in: cache)
            let elapsed = ContinuousClock.now - start
            let source = fromCache ? "served from the cache" : "computed (slow)"
            print(
                "call \(call): \(profile.name) <\(profile.email)> \(source) in \(elapsed.formatted(.units(allowed: [.milliseconds, .microseconds])))"
            )
        }
        let visits = try await cache.increment("quickstart:runs")
        print(
            visits == 1
                ? "first run: run `make demo` again, the profile stays cached across runs"
                : "run \(visits) of this program on the same cache")
    }
}
