// The quick start: `make demo` runs this twice. A user fetched from a slow source is cached with
// `@Cached` under "user:{userID}" for 5 minutes, on the embedded disk default (`disk://`): the
// first call computes, the second is served from the cache, and a second run of the program
// within 5 minutes still finds the user the first one stored.
import CashewsMacros
import SwiftCashews

struct User: Codable, Sendable {
    var id: Int
    var name: String
    var email: String
}

/// Something slow worth caching: pretend to fetch a user over the network. The key template is
/// checked against the parameters when this compiles (`{userId}` would not build).
@Cached(ttl: "5m", key: "user:{userID}")
func user(userID: Int) async throws -> User {
    try await Task.sleep(for: .milliseconds(400))
    return User(id: userID, name: "User \(userID)", email: "user\(userID)@example.com")
}

@main
struct Quickstart {
    static func main() async throws {
        Cache.register(.disk)  // disk:// comes with CashewsDisk (part of SwiftCashews)
        let url = CommandLine.arguments.dropFirst().first ?? "disk://"
        try Cache.shared.setup(url)
        print("cache: \(url)  (disk:// alone means \(Cache.defaultDiskDirectory))")

        for call in 1...2 {
            let start = ContinuousClock.now
            let found = try await user(userID: 42)
            let elapsed = ContinuousClock.now - start
            let source = elapsed > .milliseconds(300) ? "computed (slow)" : "served from the cache"
            print("call \(call): \(found.name) <\(found.email)> \(source) in \(elapsed)")
        }
        let visits = try await Cache.shared.increment("quickstart:runs")
        print(
            visits == 1
                ? "first run: run `make demo` again, the user stays cached for 5 minutes across runs"
                : "run \(visits) of this program on the same cache")
    }
}
