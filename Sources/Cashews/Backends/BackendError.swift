/// An error a backend raises, in the facade's own vocabulary: every backend (memory, disk, a
/// future Redis) maps its engine's errors into it, so that callers and ``SuppressingBackend``
/// need not know which backend failed.
///
/// A struct with kinds rather than an enum, so that new kinds can be added without breaking
/// anyone's `switch`. Match a kind in a `catch` clause directly:
///
/// ```swift
/// do {
///     try await cache.increment("visits")
/// } catch BackendError.Kind.notAnInteger {
///     try await cache.delete("visits")
/// }
/// ```
public struct BackendError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure an error is.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case notAnInteger, integerOverflow, invalidArgument, valueTooLarge, corruptValue, damagedStore
            case incompatibleStore, storage, unavailable
        }

        private let base: Base

        /// `increment` found a value that is not a decimal 64-bit integer.
        public static let notAnInteger = Kind(base: .notAnInteger)
        /// `increment` would overflow 64 bits.
        public static let integerOverflow = Kind(base: .integerOverflow)
        /// An argument the backend cannot take (a malformed pattern, an invalid option).
        public static let invalidArgument = Kind(base: .invalidArgument)
        /// A value larger than the backend can ever hold.
        public static let valueTooLarge = Kind(base: .valueTooLarge)
        /// A stored value failed its checksum.
        public static let corruptValue = Kind(base: .corruptValue)
        /// The backend's store is damaged (a bad data file, a truncated database).
        public static let damagedStore = Kind(base: .damagedStore)
        /// The backend's store was made by an incompatible version or configuration.
        public static let incompatibleStore = Kind(base: .incompatibleStore)
        /// The storage underneath failed (disk full, permissions, I/O).
        public static let storage = Kind(base: .storage)
        /// The backend cannot be reached (a network backend's server is down).
        public static let unavailable = Kind(base: .unavailable)

        /// True for kinds that come from the arguments of a call, not from the storage: a retry
        /// with the same arguments fails the same way, and ``SuppressingBackend`` never hides them.
        public var isArgumentError: Bool {
            switch base {
            case .notAnInteger, .integerOverflow, .invalidArgument, .valueTooLarge: return true
            default: return false
            }
        }

        /// The kind's name.
        public var description: String { base.rawValue }

        /// True when `error` is a ``BackendError`` of this kind: `catch BackendError.Kind.storage`.
        public static func ~= (kind: Kind, error: any Error) -> Bool {
            (error as? BackendError)?.kind == kind
        }
    }

    /// What kind of failure this is.
    public let kind: Kind
    /// The key the command was about, when there is one.
    public let key: String?
    /// What went wrong and what to do.
    public let message: String
    /// The backend's own error underneath, when there is one (an engine or network error).
    public let underlying: (any Error)?

    /// An error of `kind`, about `key`, saying `message`, caused by `underlying`.
    public init(_ kind: Kind, key: String? = nil, message: String, underlying: (any Error)? = nil) {
        self.kind = kind
        self.key = key
        self.message = message
        self.underlying = underlying
    }

    /// True when the error comes from the arguments of the call (see ``Kind/isArgumentError``).
    public var isArgumentError: Bool { kind.isArgumentError }

    /// What went wrong and what to do.
    public var description: String { message }

    /// Errors are equal when their kind, key and message are (the underlying error is context).
    public static func == (lhs: BackendError, rhs: BackendError) -> Bool {
        lhs.kind == rhs.kind && lhs.key == rhs.key && lhs.message == rhs.message
    }

    /// `increment` found a value under `key` that is not a decimal 64-bit integer.
    public static func notAnInteger(key: String) -> BackendError {
        BackendError(
            .notAnInteger, key: key,
            message: "the value of \"\(key)\" is not a decimal 64-bit integer, so it cannot be incremented;"
                + " delete it or store an integer first")
    }

    /// `increment` of `key` would overflow 64 bits.
    public static func integerOverflow(key: String) -> BackendError {
        BackendError(
            .integerOverflow, key: key,
            message: "incrementing \"\(key)\" would overflow a 64-bit integer; reset it first")
    }
}
