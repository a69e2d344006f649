import Foundation
import TestSupport

/// A fresh, existing directory, removed when the closure returns.
func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    try withTemporaryPath(create: true, body)
}

/// Async variant of ``withTemporaryDirectory(_:)``.
func withTemporaryDirectory<R>(_ body: (String) async throws -> R) async throws -> R {
    try await withTemporaryPath(create: true, body)
}
