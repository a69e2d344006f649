import Cashews
import DiskCache

extension DiskBackend {
    /// Runs `body`, mapping engine errors to the facade's, so that every backend reports the
    /// same errors.
    static func translate<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as DiskCacheError {
            throw translated(error)
        }
    }

    /// ``translate(_:)`` for async engine calls, on the caller's executor.
    nonisolated(nonsending) static func translate<R>(_ body: nonisolated(nonsending) () async throws -> R)
        async throws -> R
    {
        do {
            return try await body()
        } catch let error as DiskCacheError {
            throw translated(error)
        }
    }

    /// The facade's form of every engine error (exhaustive on purpose: a new engine error must be
    /// given a facade kind here).
    static func translated(_ error: DiskCacheError) -> any Error {
        let message = error.description
        switch error {
        case .emptyKey: return CashewsError.emptyKey
        case .invalidTTL(let duration):
            return CashewsError.invalidTTL(input: "\(duration)", reason: "it must be positive")
        case .notAnInteger(let key): return BackendError.notAnInteger(key: key)
        case .integerOverflow(let key): return BackendError.integerOverflow(key: key)
        case .invalidPattern: return BackendError(.invalidArgument, message: message, underlying: error)
        case .corruptValue(let key): return BackendError(.corruptValue, key: key, message: message, underlying: error)
        case .valueTooLarge: return BackendError(.valueTooLarge, message: message, underlying: error)
        case .corrupted: return BackendError(.damagedStore, message: message, underlying: error)
        case .incompatibleCache: return BackendError(.incompatibleStore, message: message, underlying: error)
        case .storage, .fileSystem: return BackendError(.storage, message: message, underlying: error)
        }
    }
}
