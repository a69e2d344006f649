import Foundation
import TestSupport
import Testing

@testable import DiskCache

@Suite("DiskCache batch writes: one transaction for a committed cache transaction")
struct BatchApplyTests {
    private func blobFiles(_ path: String) -> Int {
        let root = path + "/blobs"
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return folders.reduce(0) {
            $0 + ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + $1)) ?? []).count
        }
    }

    @Test("sets, deletes and pattern deletes apply in order, blobs included")
    func appliesInOrder() async throws {
        try await withCacheDirectory { path in
            let cache = try DiskCache(directory: path, configuration: .init(durability: .none, blobThreshold: 1024))
            try cache.set(Array("old".utf8), forKey: "page:1")
            try cache.set(Array("old".utf8), forKey: "page:2")
            try cache.set(Array("gone".utf8), forKey: "single")
            let large = [UInt8](repeating: 9, count: 100_000)
            let deleted = try await cache.apply([
                .deleteMatching(pattern: "page:*"),
                .set(key: "page:3", value: Array("new".utf8), expiry: .after(.seconds(60))),
                .set(key: "blob", value: large, expiry: .never),
                .delete(key: "single"),
            ])
            #expect(deleted == 3)
            #expect(try cache.keys(matching: "*").sorted() == ["blob", "page:3"])
            #expect(try cache.get("blob") == large)
            #expect(blobFiles(path) == 1)
        }
    }

    @Test("a batch that cannot be stored stores nothing and leaves no blob file")
    func allOrNothing() async throws {
        try await withCacheDirectory { path in
            let cache = try DiskCache(
                directory: path, configuration: .init(sizeLimit: 64 << 10, durability: .none, blobThreshold: 1024))
            await #expect(throws: DiskCacheError.self) {
                try await cache.apply([
                    .set(key: "a", value: [UInt8](repeating: 1, count: 10_000), expiry: .never),
                    .set(key: "too-large", value: [UInt8](repeating: 2, count: 128 << 10), expiry: .never),
                ])
            }
            await #expect(throws: DiskCacheError.self) {
                try await cache.apply([.set(key: "b", value: [1], expiry: .never), .deleteMatching(pattern: "[")])
            }
            #expect(try cache.count == 0)
            #expect(blobFiles(path) == 0)
        }
    }
}
