import Foundation
import TestSupport

@testable import DiskCache

/// A fresh cache directory path (not yet created), removed when the closure returns.
func withCacheDirectory<R>(_ body: (String) throws -> R) throws -> R {
    try withTemporaryPath(create: false, body)
}

/// Async variant of ``withCacheDirectory(_:)``.
func withCacheDirectory<R>(_ body: (String) async throws -> R) async throws -> R {
    try await withTemporaryPath(create: false, body)
}

/// A cache on a manual clock, with no size bound unless one is given.
func makeCache(
    _ path: String, clock: ManualClock = ManualClock(), sizeLimit: Int? = nil, countLimit: Int? = nil,
    durability: Durability = .none, policy: EvictionPolicy = .leastRecentlyStored
) throws -> DiskCache {
    // Least recently stored: the tests of limits and expiry were written against its plain
    // order (the default policy, S3-FIFO, has tests of its own).
    try DiskCache(
        directory: path,
        configuration: .init(
            sizeLimit: sizeLimit, countLimit: countLimit, evictionPolicy: policy, durability: durability,
            clock: .manual(clock)))
}
