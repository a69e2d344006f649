/// Which outcomes a decorator stores, spelled as ``CacheCondition`` is: the `condition:` of an
/// attribute such as `@Cached(ttl: "5m", condition: .notNil)`.
///
/// An attribute is checked before the function's result type is known to it, so it cannot name
/// a `CacheCondition<Value>`; the macro copies the expression as written into the strategy's
/// call, where it is a ``CacheCondition`` of the function's result.
public struct DecoratorCondition: Sendable {
    private init() {}

    /// Every value, no error (the default): ``CacheCondition/allValues``.
    public static var allValues: DecoratorCondition { DecoratorCondition() }

    /// Every value, no error: ``CacheCondition/anyValue``, the other name of ``allValues``.
    public static var anyValue: DecoratorCondition { DecoratorCondition() }

    /// Every value except `nil`: ``CacheCondition/notNil``.
    public static var notNil: DecoratorCondition { DecoratorCondition() }

    /// Values and errors of these types: ``CacheCondition/withErrors(_:)``.
    public static func withErrors(_ types: any Error.Type...) -> DecoratorCondition { DecoratorCondition() }

    /// Values and the errors `isCached` accepts: ``CacheCondition/withErrors(where:)``.
    public static func withErrors(where isCached: @escaping @Sendable (any Error) -> Bool) -> DecoratorCondition {
        DecoratorCondition()
    }

    /// Errors of these types only: ``CacheCondition/onlyErrors(_:)``.
    public static func onlyErrors(_ types: any Error.Type...) -> DecoratorCondition { DecoratorCondition() }

    /// The errors `isCached` accepts only: ``CacheCondition/onlyErrors(where:)``.
    public static func onlyErrors(where isCached: @escaping @Sendable (any Error) -> Bool) -> DecoratorCondition {
        DecoratorCondition()
    }

    /// The outcomes `shouldStore` accepts: ``CacheCondition/custom(_:)``.
    public static func custom<Value>(_ shouldStore: @escaping @Sendable (Result<Value, any Error>) -> Bool)
        -> DecoratorCondition
    {
        DecoratorCondition()
    }
}
