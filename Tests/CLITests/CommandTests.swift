import DiskCache
import Foundation
import Testing

/// The commands, run as a subprocess against real cache directories: what they print, their
/// JSON, and their exit codes.
@Suite struct CommandTests {
    @Test func setGetAndTTLThroughTheExecutable() throws {
        try withCache { path, cache in
            #expect(try CLI.run(["set", "-c", path, "greeting", "hello", "--ttl", "1h"]).status == 0)
            let get = try CLI.run(["get", "-c", path, "greeting"])
            #expect(get.status == 0)
            #expect(get.output == "hello")
            #expect(try cache.get("greeting") == Array("hello".utf8))
            let ttl = try CLI.run(["ttl", "-c", path, "greeting", "--json"])
            let remaining = try #require(ttl.json["ttl_ms"] as? Int)
            #expect(remaining > 3_590_000 && remaining <= 3_600_000)
            #expect(try CLI.run(["ttl", "-c", path, "greeting"]).output.hasPrefix("59m"))

            #expect(try CLI.run(["set", "-c", path, "stdin", "-"], input: [0, 1, 2, 255]).status == 0)
            #expect(try CLI.run(["get", "-c", path, "stdin"]).stdout == [0, 1, 2, 255])
            let file = path + "-value"
            defer { try? FileManager.default.removeItem(atPath: file) }
            let big = (0..<100_000).map { UInt8($0 % 251) }
            _ = FileManager.default.createFile(atPath: file, contents: Data(big))
            #expect(try CLI.run(["set", "-c", path, "file", "--file", file]).status == 0)
            #expect(try CLI.run(["get", "-c", path, "file"]).stdout == big)
            #expect(try cache.statistics().blobCount == 1)

            #expect(try CLI.run(["expire", "-c", path, "file", "10m"]).status == 0)
            #expect(try CLI.run(["ttl", "-c", path, "file"]).output.hasPrefix("9m") == true)
            #expect(try CLI.run(["expire", "-c", path, "file", "never"]).status == 0)
            #expect(try CLI.run(["ttl", "-c", path, "file"]).output == "forever\n")
            #expect(try CLI.run(["expire", "-c", path, "absent", "10m"]).status == 1)
            #expect(try CLI.run(["ttl", "-c", path, "absent"]).status == 1)
        }
    }

    @Test func getJSONDecodesWhereTheValueAllows() throws {
        try withCache { path, cache in
            try cache.set(Array(#"{"name": "Ada", "langs": ["en"]}"#.utf8), forKey: "json")
            try cache.set(Array("plain text\n".utf8), forKey: "text")
            try cache.set([0xFF, 0x00, 0xFE], forKey: "binary", expiry: .after(.seconds(60)))
            let json = try CLI.run(["get", "-c", path, "json", "--json"]).json
            #expect(Set(json.keys) == ["key", "size", "ttl_ms", "encoding", "value"])
            #expect(json["encoding"] as? String == "json")
            #expect((json["value"] as? [String: Any])?["name"] as? String == "Ada")
            #expect(json["ttl_ms"] is NSNull)
            let text = try CLI.run(["get", "-c", path, "text", "--json"]).json
            #expect(text["encoding"] as? String == "utf8")
            #expect(text["value"] as? String == "plain text\n")
            let binary = try CLI.run(["get", "-c", path, "binary", "--json"]).json
            #expect(binary["encoding"] as? String == "base64")
            #expect(binary["value"] as? String == "/wD+")
            #expect(binary["size"] as? Int == 3)
            #expect((binary["ttl_ms"] as? Int ?? 0) > 59_000)
            let missing = try CLI.run(["get", "-c", path, "absent", "--json"])
            #expect(missing.status == 1)
            #expect(missing.stdout.isEmpty)
        }
    }

    @Test func deleteAndKeys() throws {
        try withCache { path, cache in
            for index in 0..<2500 { try cache.set(Array("v\(index)".utf8), forKey: "user:\(index)") }
            try cache.set(Array("x".utf8), forKey: "other")
            let all = try CLI.run(["keys", "-c", path, "--batch", "100"])
            #expect(all.output.split(separator: "\n").count == 2501)
            #expect(all.output.split(separator: "\n").map(String.init) == (try cache.keys()))
            let users = try CLI.run(["keys", "-c", path, "user:1*", "--limit", "5"])
            #expect(users.output == "user:1\nuser:10\nuser:100\nuser:1000\nuser:1001\n")
            let json = try CLI.run(["keys", "-c", path, "user:2?", "--json"])
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout)) as? [[String: Any]])
            #expect(rows.count == 10)
            #expect(rows.allSatisfy { Set($0.keys) == ["key", "size", "expires_at"] })
            #expect(rows.first?["key"] as? String == "user:20")
            #expect(rows.first?["size"] as? Int == 3)

            let deleted = try CLI.run(["delete", "-c", path, "user:1", "user:2", "absent", "--json"])
            #expect(deleted.status == 0)
            #expect(deleted.json["deleted"] as? Int == 2)
            #expect(try CLI.run(["delete", "-c", path, "absent"]).status == 1)
            #expect(try cache.count == 2499)
        }
    }

    @Test func statsAndInfoJSONSchemas() throws {
        try withCache(blobThreshold: 1024) { path, cache in
            for index in 0..<100 { try cache.set([UInt8](repeating: 1, count: 100), forKey: "k\(index)") }
            try cache.set([UInt8](repeating: 2, count: 5000), forKey: "blob")
            let stats = try CLI.run(["stats", "-c", path, "--json", "--size-limit", "1MiB"])
            #expect(stats.status == 0)
            let json = stats.json
            #expect(
                Set(json.keys) == [
                    "directory", "entries", "volume", "size_limit", "volume_percent", "map_size", "file_size",
                    "used_bytes", "blob_files", "blob_bytes", "readers", "max_readers", "policy", "durability",
                    "expired_unswept",
                ])
            #expect(json["entries"] as? Int == 101)
            #expect(json["volume"] as? Int == (try cache.volume))
            #expect(json["size_limit"] as? Int == 1 << 20)
            #expect(json["blob_files"] as? Int == 1)
            #expect(json["blob_bytes"] as? Int == 5000)
            #expect(json["policy"] as? String == "least-recently-stored")
            #expect(json["expired_unswept"] as? Int == 0)
            #expect((json["readers"] as? Int ?? 0) >= 1)
            #expect(try CLI.run(["stats", "-c", path]).output.contains("entries:             101"))

            let info = try CLI.run(["info", "-c", path, "--json"]).json
            #expect(
                Set(info.keys) == [
                    "directory", "format", "map_size", "maximum_map_size", "page_size", "used_bytes", "file_size",
                    "last_transaction", "readers", "max_readers", "tree_depth",
                ])
            #expect(info["format"] as? String == "swift-cashews.disk-cache/1 policy=least-recently-stored")
            #expect(info["page_size"] as? Int == 4096)
        }
    }

    @Test func statsFindsThePolicyTheCacheWasCreatedWith() throws {
        try withCache(policy: .leastFrequentlyUsed) { path, cache in
            try cache.set([1], forKey: "a")
            let json = try CLI.run(["stats", "-c", path, "--json"]).json
            #expect(json["policy"] as? String == "least-frequently-used")
            #expect(try CLI.run(["set", "-c", path, "b", "2"]).status == 0)
            #expect(try cache.get("b") == Array("2".utf8))
        }
    }

    @Test func sweepRemovesExpiredEntriesInBatches() throws {
        // Entries written on a clock ten days back with a one-hour TTL are expired for the tool.
        let past = ManualClock(milliseconds: wallClockMilliseconds() - 10 * 86_400_000)
        try withCache(clock: .manual(past)) { path, cache in
            for index in 0..<2500 { try cache.set([1], forKey: "old\(index)", expiry: .after(.seconds(3600))) }
            for index in 0..<10 { try cache.set([1], forKey: "live\(index)") }
            #expect(try CLI.run(["stats", "-c", path, "--json"]).json["expired_unswept"] as? Int == 2500)
            let sweep = try CLI.run(["sweep", "-c", path, "--batch", "1000", "--json"])
            #expect(sweep.status == 0)
            #expect(sweep.json["removed"] as? Int == 2500)
            #expect(try cache.count == 10)
        }
    }

    @Test func cullShrinksToTheTargetInPolicyOrder() throws {
        try withCache { path, cache in
            for index in 0..<1000 {
                try cache.set([UInt8](repeating: 7, count: 936), forKey: String(format: "k%04d", index))
            }
            // Each entry: 5 key bytes + 936 value bytes + 64 = 1005 bytes.
            #expect(try cache.volume == 1_005_000)
            let cull = try CLI.run(["cull", "-c", path, "--to", "500000", "--batch", "64", "--json"])
            #expect(cull.status == 0)
            #expect(
                Set(cull.json.keys) == ["removed", "volume_before", "volume_after", "target"])
            #expect(cull.json["removed"] as? Int == 503)
            #expect(try cache.volume <= 500_000)
            #expect(try cache.get("k0000") == nil)  // least recently stored goes first
            #expect(try cache.get("k0999") != nil)
            #expect(try cache.check().isClean)
        }
    }

    @Test func checkReportsDamageWithExitThree() throws {
        try withCache(blobThreshold: 1024) { path, cache in
            for index in 0..<50 { try cache.set([UInt8](repeating: 1, count: 10), forKey: "k\(index)") }
            try cache.set([UInt8](repeating: 2, count: 4096), forKey: "blob")
            let clean = try CLI.run(["check", "-c", path, "--json"])
            #expect(clean.status == 0)
            #expect(clean.json["clean"] as? Bool == true)
            #expect(clean.json["entries"] as? Int == 51)
            #expect(clean.json.count == 15)
            // Damage the blob's file (through the file system, as a disk would).
            let blobs = try FileManager.default.subpathsOfDirectory(atPath: path + "/blobs")
                .filter {
                    !$0.hasSuffix("/")
                        && (try? FileManager.default.attributesOfItem(atPath: path + "/blobs/" + $0)[.type]
                            as? FileAttributeType) == .typeRegular
                }
            let blob = try #require(blobs.first)
            let handle = try #require(FileHandle(forWritingAtPath: path + "/blobs/" + blob))
            try handle.seek(toOffset: 100)
            handle.write(Data([9, 9, 9]))
            try handle.close()
            let damaged = try CLI.run(["check", "-c", path, "--json"])
            #expect(damaged.status == 3)
            #expect(damaged.json["corrupt_entries"] as? Int == 1)
            let repaired = try CLI.run(["check", "-c", path, "--repair"])
            #expect(repaired.status == 3)
            #expect(repaired.output.hasPrefix("repaired:"))
            #expect(try CLI.run(["check", "-c", path]).status == 0)
            #expect(try cache.get("blob") == nil)
        }
    }

    @Test func clearNeedsConfirmation() throws {
        try withCache { path, cache in
            for index in 0..<10 { try cache.set([1], forKey: "k\(index)") }
            let refused = try CLI.run(["clear", "-c", path])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("--yes"))
            #expect(try cache.count == 10)
            let cleared = try CLI.run(["clear", "-c", path, "--yes", "--json"])
            #expect(cleared.json["removed"] as? Int == 10)
            #expect(try cache.count == 0)
        }
    }

    @Test func clearWorksInBatchesAndTakesExpiredEntriesAndBlobs() throws {
        try withCache { path, cache in
            for index in 0..<2500 { try cache.set([1], forKey: "live-\(index)") }
            try cache.set([UInt8](repeating: 3, count: 300_000), forKey: "blob")
            // Entries that expired long ago by the real clock the tool reads: written through a
            // handle whose clock stands at 2026-01-01 (and that culls nothing in passing).
            let past = try DiskCache(
                directory: path, configuration: .init(clock: .manual(ManualClock()), cullLimit: 0))
            for index in 0..<300 { try past.set([2], forKey: "gone-\(index)", expiry: .after(.seconds(60))) }
            #expect(try cache.count == 2801)
            #expect(try cache.contains("gone-0") == false)
            let cleared = try CLI.run(["clear", "-c", path, "--yes", "--batch", "100", "--json"])
            #expect(cleared.status == 0)
            #expect(cleared.json["removed"] as? Int == 2801)
            #expect(try cache.count == 0)
            #expect(try cache.statistics().blobCount == 0)
            #expect(try cache.check(orphanGrace: .zero).isClean)
        }
    }

    @Test func usageErrorsExitTwo() throws {
        try withCache { path, _ in
            for arguments in [
                ["frobnicate"], ["get", "-c", path], ["set", "-c", path, "k"], ["expire", "-c", path, "k", "soon"],
                ["set", "-c", path, "k", "v", "--ttl", "-5"], ["keys", "-c", path, "--limit", "-1"],
                ["keys", "-c", path, "[unclosed"], ["get", "k"],
            ] {
                let result = try CLI.run(arguments)
                #expect(result.status == 2, "\(arguments): \(result.stderr)")
                #expect(result.stderr.hasPrefix("cashews: error:"), "\(arguments)")
            }
        }
    }

    @Test func helpCompletionsAndEnvironment() throws {
        let help = try CLI.run(["help", "export"])
        #expect(help.status == 0)
        #expect(help.output.contains("ttl_ms"))
        #expect(try CLI.run(["--help"]).output.contains("EXIT CODES"))
        let completion = try CLI.run(["--generate-completion-script", "bash"])
        #expect(completion.status == 0)
        #expect(completion.output.contains("_cashews"))
        try withCache { path, cache in
            try cache.set(Array("v".utf8), forKey: "k")
            #expect(try CLI.run(["get", "k"], environment: ["CASHEWS_CACHE": path]).output == "v")
        }
    }
}
