import DiskCache
import Foundation
import TestSupport
import Testing

/// `export | import` moves keys, values and remaining times-to-live.
@Suite struct RoundTripTests {
    @Test func exportImportOf100000EntriesWithTTLs() throws {
        try withCache { source, cache in
            var random = SplitMix64(seed: 18)
            var batch: [(key: String, value: [UInt8], expiry: Expiry)] = []
            var expected: [String: ([UInt8], Bool)] = [:]
            for index in 0..<100_000 {
                let size = Int(random.next() % 64)
                let value = (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                let expires = index % 3 != 0
                let key = index % 1000 == 0 ? "long-\(index)-" + String(repeating: "é", count: 300) : "key:\(index)"
                batch.append((key: key, value: value, expiry: expires ? .after(.seconds(3600 + Int64(index))) : .never))
                expected[key] = (value, expires)
                if batch.count == 5000 {
                    try cache.set(batch)
                    batch.removeAll()
                }
            }
            let exportFile = source + "-export.jsonl"
            defer { try? FileManager.default.removeItem(atPath: exportFile) }
            let export = try CLI.run(["export", "-c", source])
            #expect(export.status == 0, "\(export.stderr)")
            _ = FileManager.default.createFile(atPath: exportFile, contents: Data(export.stdout))
            let lines = export.output.split(separator: "\n")
            #expect(lines.count == 100_000)
            let first = try #require(
                try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
            #expect(Set(first.keys) == ["key", "value", "expires_at", "ttl_ms"])

            try withTemporaryPath(create: false) { target in
                let imported = try CLI.run(["import", "-c", target, "--create", "--json"], inputFile: exportFile)
                #expect(imported.status == 0, "\(imported.stderr)")
                #expect(imported.json["imported"] as? Int == 100_000)
                let copy = try DiskCache(directory: target, configuration: .init(sizeLimit: nil))
                #expect(try copy.count == 100_000)
                var checked = 0
                for (key, (value, expires)) in expected {
                    #expect(try copy.get(key) == value)
                    let ttl = try copy.timeToLive(forKey: key)
                    let original = try cache.timeToLive(forKey: key)
                    if expires {
                        // The remaining time is kept (within the seconds the test took).
                        guard case .remaining(let left)? = ttl, case .remaining(let before)? = original else {
                            Issue.record("\(key) lost its expiry")
                            continue
                        }
                        #expect(abs((left - before).components.seconds) < 60)
                    } else {
                        #expect(ttl == .forever)
                    }
                    checked += 1
                }
                #expect(checked == 100_000)
                #expect(try copy.check().isClean)
            }
        }
    }

    @Test func exportImportOfBlobs() throws {
        try withCache(blobThreshold: 4096) { source, cache in
            var random = SplitMix64(seed: 7)
            var values: [String: [UInt8]] = [:]
            for index in 0..<40 {
                let size = (32 << 10) + 1 + Int(random.next() % 300_000)  // blobs at either threshold
                let value = (0..<size).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                values["blob:\(index)"] = value
                try cache.set(value, forKey: "blob:\(index)", expiry: index % 2 == 0 ? .after(.seconds(600)) : .never)
            }
            try cache.set(Array("small".utf8), forKey: "small")
            #expect(try cache.statistics().blobCount == 40)
            let export = try CLI.run(["export", "-c", source, "--batch", "7"])
            #expect(export.status == 0)
            try withTemporaryPath(create: false) { target in
                let imported = try CLI.run(["import", "-c", target, "--create", "--batch", "5"], input: export.stdout)
                #expect(imported.status == 0, "\(imported.stderr)")
                let copy = try DiskCache(directory: target, configuration: .init(sizeLimit: nil))
                #expect(try copy.statistics().blobCount == 40)  // large values are blobs again
                for (key, value) in values { #expect(try copy.get(key) == value) }
                #expect(try copy.get("small") == Array("small".utf8))
                guard case .remaining(let left)? = try copy.timeToLive(forKey: "blob:0") else {
                    Issue.record("blob:0 lost its expiry")
                    return
                }
                #expect(left > .seconds(500) && left <= .seconds(600))
                #expect(try copy.timeToLive(forKey: "blob:1") == .forever)
            }
        }
    }

    @Test func exportOfAPatternAndImportWithDeadlines() throws {
        try withCache { source, cache in
            for index in 0..<100 { try cache.set([UInt8(index)], forKey: "a:\(index)", expiry: .after(.seconds(100))) }
            for index in 0..<100 { try cache.set([UInt8(index)], forKey: "b:\(index)") }
            let export = try CLI.run(["export", "-c", source, "a:*"])
            #expect(export.output.split(separator: "\n").count == 100)
            try withTemporaryPath(create: false) { target in
                let imported = try CLI.run(
                    ["import", "-c", target, "--create", "--keep-deadlines"], input: export.stdout)
                #expect(imported.status == 0)
                let copy = try DiskCache(directory: target, configuration: .init(sizeLimit: nil))
                #expect(try copy.keys().count == 100)
                #expect(try copy.timeToLive(forKey: "a:5") != .forever)
            }
        }
    }

    @Test func keysThatNeedEscapingAndHandWrittenLines() throws {
        try withCache { source, cache in
            let keys = ["quote\"d", "back\\slash", "new\nline", "tab\t", "ünïcødé 🍪", "\u{1}control"]
            for key in keys { try cache.set(Array(key.utf8), forKey: key) }
            let export = try CLI.run(["export", "-c", source])
            #expect(export.status == 0)
            try withTemporaryPath(create: false) { target in
                let handWritten = Array(
                    (#"{ "ttl_ms": 60000, "value": "aGFuZA==", "key": "hand", "expires_at": null }"# + "\n").utf8)
                let imported = try CLI.run(["import", "-c", target, "--create"], input: export.stdout + handWritten)
                #expect(imported.status == 0, "\(imported.stderr)")
                let copy = try DiskCache(directory: target, configuration: .init(sizeLimit: nil))
                for key in keys { #expect(try copy.get(key) == Array(key.utf8), "\(key)") }
                #expect(try copy.get("hand") == Array("hand".utf8))
                #expect(try copy.timeToLive(forKey: "hand") != .forever)
            }
        }
    }

    @Test func malformedImportLinesAreUsageErrorsWithTheirLineNumber() throws {
        try withCache { path, cache in
            let input = Array(
                (#"{"key":"a","value":"YQ==","expires_at":null,"ttl_ms":null}"# + "\n" + "not json\n").utf8)
            let result = try CLI.run(["import", "-c", path, "--batch", "1"], input: input)
            #expect(result.status == 2)
            #expect(result.stderr.contains("line 2"))
            #expect(try cache.get("a") == Array("a".utf8))  // the batch before it was stored
            let badBase64 = Array(#"{"key":"b","value":"!!","expires_at":null,"ttl_ms":null}"#.utf8)
            #expect(try CLI.run(["import", "-c", path], input: badBase64).status == 2)
        }
    }

    @Test func anInterruptedImportLeavesWholeBatches() throws {
        try withTemporaryPath(create: false) { path in
            var lines = ""
            for index in 0..<200_000 {
                lines += #"{"key":"k\#(index)","value":"dmFsdWU=","expires_at":null,"ttl_ms":null}"# + "\n"
            }
            let file = path + "-input.jsonl"
            defer { try? FileManager.default.removeItem(atPath: file) }
            _ = FileManager.default.createFile(atPath: file, contents: Data(lines.utf8))
            let running = try CLI.start(["import", "-c", path, "--create", "--batch", "100", "--file", file])
            // Wait until the import has committed something, then press Ctrl-C.
            var seen = 0
            for _ in 0..<2000 where seen == 0 {
                usleep(5000)
                if FileManager.default.fileExists(atPath: path + "/data.mdb"),
                    let cache = try? DiskCache(directory: path, configuration: .init(sizeLimit: nil))
                {
                    seen = (try? cache.count) ?? 0
                }
            }
            kill(running.process.processIdentifier, SIGINT)
            let result = running.finish()
            let cache = try DiskCache(directory: path, configuration: .init(sizeLimit: nil))
            let count = try cache.count
            if result.status == 130 {
                #expect(result.stderr.contains("interrupted"))
                #expect(count < 200_000)
            } else {
                #expect(result.status == 0)  // it finished before the signal arrived
            }
            #expect(count % 100 == 0)
            #expect(try cache.check().isClean)
        }
    }
}
