import DiskCache
import Foundation
import TestSupport
import Testing

/// The tool beside a second process that keeps writing: every command works, nothing is lost
/// or damaged, and the writer is never stopped.
@Suite struct ConcurrentWriterTests {
    @Test func commandsBesideAWriter() throws {
        try withTemporaryPath(create: false) { path in
            let cache = try DiskCache(directory: path)
            for index in 0..<20_000 { try cache.set(Array("stable-\(index)".utf8), forKey: "stable:\(index)") }
            let worker = try Worker.start(["cache-churn", path, "18"])
            defer { worker.kill9() }
            #expect(worker.readLine() == "ready")

            let stats = try CLI.run(["stats", "-c", path, "--json"])
            #expect(stats.status == 0)
            #expect((stats.json["entries"] as? Int ?? 0) >= 20_000)
            #expect((stats.json["readers"] as? Int ?? 0) >= 1)
            let keys = try CLI.run(["keys", "-c", path, "stable:*", "--batch", "500"])
            #expect(keys.status == 0)
            #expect(keys.output.split(separator: "\n").count == 20_000)
            let export = try CLI.run(["export", "-c", path, "--batch", "500"])
            #expect(export.status == 0, "\(export.stderr)")
            let stable = export.output.split(separator: "\n").filter { $0.hasPrefix(#"{"key":"stable:"#) }
            #expect(stable.count == 20_000)
            for index in 0..<5 { #expect(try CLI.run(["set", "-c", path, "tool:\(index)", "\(index)"]).status == 0) }
            #expect(try CLI.run(["get", "-c", path, "tool:3"]).output == "3")
            // Import the stable entries back (batches of 200 write transactions beside the writer).
            let stableLines = Array((stable.joined(separator: "\n") + "\n").utf8)
            let imported = try CLI.run(["import", "-c", path, "--batch", "200", "--json"], input: stableLines)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(imported.json["imported"] as? Int == 20_000)
            #expect(try CLI.run(["sweep", "-c", path]).status == 0)
            #expect(try CLI.run(["check", "-c", path]).status == 0)
            #expect(try CLI.run(["get", "-c", path, "stable:19999"]).output == "stable-19999")
            #expect(worker.process.isRunning)  // the writer went on throughout
        }
    }
}
