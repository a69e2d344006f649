/// A step of a cache's command pipeline: sees every command on its way to a backend, may change
/// it (keys, values), answer it itself, or look at the answer.
///
/// ```swift
/// struct Timing: CacheMiddleware {
///     func handle(
///         _ request: CacheRequest, context: MiddlewareContext,
///         next: (CacheRequest) async throws -> CacheResponse
///     ) async throws -> CacheResponse {
///         let start = ContinuousClock.now
///         defer { print(request.command, ContinuousClock.now - start) }
///         return try await next(request)
///     }
/// }
/// cache.use(Timing())
/// ```
///
/// The pipeline of a command, outermost first (see ``Cache/use(_:prefix:)``):
///
/// 1. the cache's middlewares (``Cache/use(_:prefix:)`` without a prefix), in the order added;
/// 2. the middlewares of the command's backend (``Cache/use(_:prefix:)`` with its prefix), in
///    the order added;
/// 3. the command observers (``Cache/onCommand(_:perform:)``,
///    ``Cache/observingCommands(_:perform:isolation:_:)``), which see what the middlewares made
///    of the command and its answer;
/// 4. disabling (``Cache/disabling(_:prefix:isolation:_:)``): a disabled command stops here;
/// 5. ``Cache/invalidatingFurther(isolation:_:)``: reads become deletes;
/// 6. the open transaction, which buffers writes;
/// 7. the backend.
///
/// A cache with no middleware, observer, disabled command or open scope sends every command
/// straight to its backend.
public protocol CacheMiddleware: Sendable {
    /// Handles `request`: call `next` to pass it (or another request of the same command) on,
    /// and return its answer, changed or not; or return an answer of the command's shape
    /// without calling `next`.
    nonisolated(nonsending) func handle(
        _ request: CacheRequest, context: MiddlewareContext, next: (CacheRequest) async throws -> CacheResponse
    ) async throws -> CacheResponse
}

/// Where a command goes: the prefix and the name of its backend.
public struct MiddlewareContext: Sendable, Hashable {
    /// The prefix of the backend ("" for the default backend).
    public let prefix: String
    /// The backend's name: its URL scheme when set up by URL, else the name given to
    /// ``Cache/setup(_:prefix:suppress:name:format:)`` or its type.
    public let backend: String

    /// A context for `prefix` and `backend`.
    public init(prefix: String, backend: String) {
        self.prefix = prefix
        self.backend = backend
    }
}

/// An error of a command pipeline.
public enum MiddlewareError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A middleware answered a command with a response of another command's shape.
    case unexpectedResponse(command: CacheCommand, response: String)
    /// A middleware passed on a request of another command than the one it got.
    case changedCommand(from: CacheCommand, to: CacheCommand)

    /// What went wrong.
    public var description: String {
        switch self {
        case .unexpectedResponse(let command, let response):
            return "a cache middleware answered \(command) with \(response), which is not the shape of its answer"
        case .changedCommand(let from, let to):
            return "a cache middleware turned a \(from) request into a \(to) request: pass on the same command"
        }
    }
}

extension Cache {
    /// Adds `middleware` to the pipeline of every command of the backend of `prefix` (of every
    /// backend when nil), after the middlewares added before it. Cache-wide middlewares run
    /// before the backend's (see ``CacheMiddleware`` for the whole order).
    public func use(_ middleware: any CacheMiddleware, prefix: String? = nil) {
        let prefix = prefix.map(normalizedPrefix)
        control.changeSettings { settings in
            if let prefix {
                settings.backendMiddlewares[prefix, default: []].append(middleware)
            } else {
                settings.middlewares.append(middleware)
            }
        }
    }

    /// Removes every middleware of the backend of `prefix` (the cache-wide ones when nil).
    public func removeMiddlewares(prefix: String? = nil) {
        let prefix = prefix.map(normalizedPrefix)
        control.changeSettings { settings in
            if let prefix {
                settings.backendMiddlewares[prefix] = nil
            } else {
                settings.middlewares = []
            }
        }
    }
}
