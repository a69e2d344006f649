// The quick start: `make demo` runs this twice to show that what one run stores, the next finds.
import Foundation
import LMDB

@main
struct Quickstart {
    static func main() throws {
        let directory = CommandLine.arguments.dropFirst().first ?? defaultDirectory()
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])

        let env = try Environment(path: directory)
        let runs = try env.database(named: "runs", flags: .create)
        let key = Array("run-count".utf8)

        let previous = try env.read { txn in
            try txn.withValue(forKey: key, in: runs) { $0.loadUnaligned(as: UInt64.self) }
        }
        let count = try env.write { txn -> UInt64 in
            let count = (try txn.withValue(forKey: key, in: runs) { $0.loadUnaligned(as: UInt64.self) } ?? 0) + 1
            try txn.put(withUnsafeBytes(of: count) { Array($0) }, forKey: key, in: runs)
            return count
        }

        print("cache directory: \(env.path)")
        if let previous {
            print("found \(previous) earlier run(s) stored on disk; this is run \(count)")
        } else {
            print("first run: nothing stored yet; stored run \(count) (run `make demo` again to see it persist)")
        }
    }

    /// `$XDG_CACHE_HOME/swift-cashews/quickstart`, or `~/.cache/swift-cashews/quickstart`.
    static func defaultDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")
        return base + "/swift-cashews/quickstart"
    }
}
