import Foundation

/// The tests' one way to get a scratch directory: every path lies under a folder of this
/// process (`$TMPDIR/cashews-tests-<pid>-<uuid>/`), so that nothing is left behind.
///
/// - ``withTemporaryPath(create:_:)`` removes its path when the closure returns.
/// - ``TemporaryDirectory/path(_:create:)`` is for a fixture whose cache outlives the call that
///   made it; its path is removed when the process exits.
public enum TemporaryDirectory {
    /// The folder of this process, removed at exit.
    public static let root: String = {
        let root = NSTemporaryDirectory() + "cashews-tests-\(getpid())-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TemporaryDirectory.root) }
        return root
    }()

    /// A fresh path under ``root`` whose last component starts with `label` (a directory when
    /// `create`; otherwise not yet created).
    public static func path(_ label: String = "dir", create: Bool = false) -> String {
        let path = root + "/" + label + "-" + UUID().uuidString
        if create { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        return path
    }
}

/// A fresh directory path (created when `create`), removed when the closure returns.
public func withTemporaryPath<R>(create: Bool = true, _ body: (String) throws -> R) throws -> R {
    let path = TemporaryDirectory.path(create: create)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Async variant of ``withTemporaryPath(create:_:)``, run on the caller's executor.
nonisolated(nonsending) public func withTemporaryPath<R>(
    create: Bool = true, _ body: nonisolated(nonsending) (String) async throws -> R
) async throws -> R {
    let path = TemporaryDirectory.path(create: create)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}
