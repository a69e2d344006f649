import DiskCache
import Foundation
import LMDB
import TestSupport
import Testing

/// Every reason a cache cannot be opened exits 4 with a message that says what to do.
@Suite struct OpenErrorTests {
    @Test func aMissingDirectory() throws {
        let path = TemporaryDirectory.path("missing")
        let result = try CLI.run(["stats", "-c", path])
        #expect(result.status == 4)
        #expect(result.stderr.contains("no such directory"))
        #expect(!FileManager.default.fileExists(atPath: path))  // nothing was created
    }

    @Test func aDirectoryThatIsNotACache() throws {
        try withTemporaryPath { path in
            let result = try CLI.run(["keys", "-c", path])
            #expect(result.status == 4)
            #expect(result.stderr.contains("not a cache directory"))
            #expect(!FileManager.default.fileExists(atPath: path + "/data.mdb"))
            // --create makes one.
            #expect(try CLI.run(["set", "-c", path, "--create", "k", "v"]).status == 0)
            #expect(try CLI.run(["get", "-c", path, "k"]).output == "v")
        }
    }

    @Test func aFileInsteadOfADirectory() throws {
        try withTemporaryPath { path in
            _ = FileManager.default.createFile(atPath: path + "/file", contents: Data([1]))
            let result = try CLI.run(["stats", "-c", path + "/file"])
            #expect(result.status == 4)
            #expect(result.stderr.contains("not a directory"))
        }
    }

    @Test func aCacheOfANewerFormat() throws {
        try withCache { path, cache in
            try cache.set([1], forKey: "k")
            // Rewrite the format line as a later version would (the test may use LMDB itself).
            let environment = try Environment(
                path: path, options: .init(mapSize: 16 << 30, maxReaders: 512, maxDatabases: 8, fileMode: 0o600))
            let meta = try environment.database(named: "meta")
            try environment.write { txn in
                try txn.put(
                    Array("swift-cashews.disk-cache/2 policy=least-recently-stored".utf8), forKey: Array("format".utf8),
                    in: meta)
            }
            let result = try CLI.run(["stats", "-c", path])
            #expect(result.status == 4)
            #expect(result.stderr.contains("another cache format"))
            #expect(result.stderr.contains("swift-cashews.disk-cache/2"))
        }
    }

    @Test func aDirectoryOthersCanWrite() throws {
        try withCache { path, cache in
            try cache.set([1], forKey: "k")
            chmod(path, 0o777)
            defer { chmod(path, 0o700) }
            let result = try CLI.run(["get", "-c", path, "k"])
            #expect(result.status == 4)
            #expect(result.stderr.contains("writable by others"))
        }
    }

    @Test(.enabled(if: geteuid() != 0, "root reads every file")) func permissionDenied() throws {
        try withCache { path, cache in
            try cache.set([1], forKey: "k")
            chmod(path + "/data.mdb", 0o000)
            defer { chmod(path + "/data.mdb", 0o600) }
            let result = try CLI.run(["get", "-c", path, "k"])
            #expect(result.status == 4)
            #expect(result.stderr.contains("permission denied"))
        }
    }

    @Test func aCacheWhoseWriterWasKilled() throws {
        // A writer killed mid-transaction (holding the write lock) must not lock the cache out:
        // LMDB's robust lock passes to the next writer.
        try withTemporaryPath(create: false) { path in
            let worker = try Worker.start(["cache-churn", path, "7"])
            #expect(worker.readLine() == "ready")
            worker.kill9()
            let result = try CLI.run(["set", "-c", path, "after", "crash"], seconds: 30)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(try CLI.run(["check", "-c", path, "--orphan-grace", "0", "--repair"]).status != 4)
            #expect(try CLI.run(["check", "-c", path]).status == 0)
            #expect(try CLI.run(["get", "-c", path, "after"]).output == "crash")
        }
    }
}
