/// The cache a decorator uses, as its attribute names it (`cache:`): only the spelling matters,
/// since the macro copies it into the function's body.
///
/// - `.shared` (the default): ``Cache/shared``;
/// - `.property(\Service.cache)`: a property of the enclosing type, `self.cache` (`Self.cache` in a
///   static method; an attribute's arguments cannot name `self`, so the key path names the type);
/// - `.named(users)`: any expression of type ``Cache`` in scope in the body, such as a global
///   `let users = Cache()` or `Caches.users`.
public struct CacheReference: Sendable {
    private init() {}

    /// ``Cache/shared``.
    public static var shared: CacheReference { CacheReference() }

    /// The property of the enclosing type that `keyPath` names: `self.cache` for `\Service.cache`.
    public static func property<Root>(_ keyPath: KeyPath<Root, Cache>) -> CacheReference { CacheReference() }

    /// The cache `cache`, an expression evaluated in the decorated function's body.
    public static func named(_ cache: @autoclosure () -> Cache) -> CacheReference { CacheReference() }
}
