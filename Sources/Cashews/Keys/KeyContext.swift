/// Values that fill key template placeholders for the duration of an operation, in the current
/// task and the child tasks it creates (a task-local value).
///
/// ```swift
/// let template = try KeyTemplate("client:{client}:user:{id}")
/// let key = try KeyContext.withValues(["client": 7]) {
///     try template.render(["id": 42])                  // "client:7:user:42"
/// }
/// ```
///
/// A placeholder is filled by the value passed to ``KeyTemplate/render(_:)`` first, and by the
/// context only when that has no value of its name. Nested contexts add to the outer one; an
/// inner value of the same name hides the outer one for the inner operation.
public enum KeyContext {
    @TaskLocal static var current: [String: any Sendable] = [:]

    /// The values in force: those of every enclosing ``withValues(_:operation:)``.
    public static var values: [String: any Sendable] { current }

    /// Runs `operation` with `values` added to the context.
    public static func withValues<Result>(
        _ values: [String: any Sendable], operation: () throws -> Result
    ) rethrows -> Result {
        try $current.withValue(current.merging(values) { $1 }, operation: operation)
    }

    /// Runs the asynchronous `operation` with `values` added to the context.
    public static func withValues<Result>(
        _ values: [String: any Sendable], isolation: isolated (any Actor)? = #isolation,
        operation: () async throws -> Result
    ) async rethrows -> Result {
        try await $current.withValue(current.merging(values) { $1 }, operation: operation, isolation: isolation)
    }
}
