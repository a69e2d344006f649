import Synchronization

/// Makes a backend from a setup URL (without the facade's own parameters) and the context of the
/// cache that sets it up.
public typealias BackendFactory = @Sendable (BackendURL, BackendContext) throws -> any Backend

/// A URL scheme and the factory that makes its backends: `Cache.register(.memory)`.
public struct BackendRegistration: Sendable {
    /// The scheme, lower-cased (`mem`, `disk`, `redis`).
    public let scheme: String
    /// Makes a backend from a URL of the scheme.
    public let factory: BackendFactory
    /// True when the scheme's backends are suppressed unless the URL says `suppress=false`
    /// (cashews' Redis default); false for the others.
    public let suppressesByDefault: Bool

    /// A registration of `factory` for URLs of `scheme`, suppressed by default when
    /// `suppressesByDefault`.
    public init(scheme: String, suppressesByDefault: Bool = false, factory: @escaping BackendFactory) {
        self.scheme = scheme.lowercased()
        self.suppressesByDefault = suppressesByDefault
        self.factory = factory
    }

    /// `mem://`: a ``MemoryBackend`` (registered from the start).
    public static let memory = BackendRegistration(scheme: "mem") { url, context in
        try MemoryBackend(url: url, context: context)
    }
}

extension Cache {
    private static let factories = Mutex<[String: BackendFactory]>([
        BackendRegistration.memory.scheme: BackendRegistration.memory.factory,
        BackendRegistration.disabled.scheme: BackendRegistration.disabled.factory,
    ])
    /// The schemes whose backends are suppressed unless the URL says otherwise.
    private static let suppressedSchemes = Mutex<Set<String>>([])

    /// Registers `factory` for URLs of `scheme` (replacing any factory of that scheme), so that
    /// other modules add backends: `Cache.register(scheme: "redis") { url, context in … }`.
    public static func register(scheme: String, _ factory: @escaping BackendFactory) {
        register(BackendRegistration(scheme: scheme, factory: factory))
    }

    /// Registers a backend module's scheme, once at start-up: `Cache.register(.disk)` after
    /// `import CashewsDisk`. Registering a scheme again replaces its factory.
    public static func register(_ registration: BackendRegistration) {
        factories.withLock { $0[registration.scheme] = registration.factory }
        suppressedSchemes.withLock {
            if registration.suppressesByDefault {
                $0.insert(registration.scheme)
            } else {
                $0.remove(registration.scheme)
            }
        }
    }

    /// The schemes that have a factory (besides `""`, the disabled backend of `"://"`).
    public static var registeredSchemes: [String] {
        factories.withLock { Array($0.keys).filter { !$0.isEmpty }.sorted() }
    }

    /// True when backends of `scheme` are suppressed unless the URL says `suppress=false`.
    static func suppressesByDefault(_ scheme: String) -> Bool {
        suppressedSchemes.withLock { $0.contains(scheme) }
    }

    /// Makes the backend a setup URL describes (without the facade's own parameters).
    static func makeBackend(_ url: BackendURL, context: BackendContext) throws -> any Backend {
        guard let factory = factories.withLock({ $0[url.scheme] }) else {
            throw CashewsError.unknownScheme(url.scheme, known: registeredSchemes)
        }
        return try factory(url, context)
    }
}
