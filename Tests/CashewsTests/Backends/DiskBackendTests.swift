import Cashews
import CashewsDisk
import Foundation
import TestSupport
import Testing

/// The disk backend's way into the engine: every command through the engine's async entry
/// points, resuming on the caller's executor.
@Suite("Disk backend: the engine's async entry points")
struct DiskBackendTests {
    /// A backend storing values over 1 KiB as blob files.
    private func backend(_ directory: String) throws -> DiskBackend {
        try DiskBackend(directory: directory, configuration: .init(durability: .none, blobThreshold: 1024))
    }

    /// The blob files under `directory`.
    private func blobFiles(_ directory: String) -> [String] {
        let root = directory + "/blobs"
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return folders.flatMap { folder in
            ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + folder)) ?? []).map {
                root + "/" + folder + "/" + $0
            }
        }
    }

    @Test("large and small blobs, inline values: one-key and many-key reads and writes, from the main actor")
    @MainActor
    func blobsFromTheMainActor() async throws {
        try await withTemporaryPath(create: false) { directory in
            let disk = try backend(directory)
            let large = (0..<(600 << 10)).map { UInt8(truncatingIfNeeded: $0 &* 31) }  // read on the engine thread
            let small = [UInt8](repeating: 7, count: 4096)  // a blob read inline
            _ = try await disk.set("large", .bytes(large), expiry: .never, condition: .always)
            MainActor.assertIsolated()
            try await disk.set(
                [(key: "l2", value: .bytes(large)), (key: "s2", value: .bytes(small)), (key: "i", value: .bytes([1]))],
                expiry: .never)
            MainActor.assertIsolated()
            guard case .bytes(let read)? = try await disk.get("large") else { Issue.record("no value"); return }
            MainActor.assertIsolated()
            #expect(read == large)
            let many = try await disk.get(["l2", "missing", "s2", "i"])
            MainActor.assertIsolated()
            #expect(many.map { $0.flatMap(ValueCodec.bytes(of:)) } == [large, nil, small, [1]])
            #expect(try await disk.keys(matching: GlobPattern("*2")) == ["l2", "s2"])
            MainActor.assertIsolated()
            #expect(try await disk.expire("i", after: .seconds(60)))
            #expect(try await disk.timeToLive("i") != TimeToLive.forever)
            #expect(try await disk.delete(matching: GlobPattern("l*")) == 2)
            #expect(try await disk.count() == 2)
            try await disk.clear()
            MainActor.assertIsolated()
            #expect(try await disk.count() == 0)
            #expect(blobFiles(directory).isEmpty)
        }
    }

    @Test("a large blob that fails its checksum is a miss, counted as a corruption")
    func damagedLargeBlob() async throws {
        try await withTemporaryPath(create: false) { directory in
            let disk = try backend(directory)
            let large = [UInt8](repeating: 3, count: 600 << 10)
            _ = try await disk.set("k", .bytes(large), expiry: .never, condition: .always)
            let files = blobFiles(directory)
            #expect(files.count == 1)
            let handle = try #require(FileHandle(forUpdatingAtPath: files[0]))
            try handle.seek(toOffset: 1000)
            try handle.write(contentsOf: [4])
            try handle.close()
            #expect(try await disk.get("k") == nil)
            let statistics = try disk.cache.statistics()
            #expect(statistics.corruptions == 1 && statistics.hits == 0 && statistics.misses == 1)
        }
    }

    @Test("a one-key blob set that does not store (its condition fails) leaves no blob file")
    func conditionalBlobSet() async throws {
        try await withTemporaryPath(create: false) { directory in
            let disk = try backend(directory)
            let large = [UInt8](repeating: 9, count: 8192)
            #expect(try await disk.set("k", .bytes(large), expiry: .never, condition: .ifAbsent))
            #expect(try await disk.set("k", .bytes(large), expiry: .never, condition: .ifAbsent) == false)
            #expect(try await disk.set("absent", .bytes(large), expiry: .never, condition: .ifPresent) == false)
            #expect(blobFiles(directory).count == 1)
            #expect(try await disk.get("k").flatMap(ValueCodec.bytes(of:)) == large)
        }
    }

    @Test("a many-key set that fails stores nothing and leaves no blob file")
    func failedManyKeySet() async throws {
        try await withTemporaryPath(create: false) { directory in
            let disk = try backend(directory)
            let large = [UInt8](repeating: 5, count: 8192)
            await #expect(throws: CashewsError.self) {
                try await disk.set([(key: "a", value: .bytes(large)), (key: "", value: .bytes(large))], expiry: .never)
            }
            #expect(try await disk.count() == 0)
            #expect(blobFiles(directory).isEmpty)
        }
    }
}
