import Cashews
import Logging

extension RedisBackend {
    /// Runs `body`, mapping the client's errors to the facade's.
    nonisolated(nonsending) func translating<R>(
        _ operation: String, key: String?, _ body: nonisolated(nonsending) () async throws -> R
    ) async throws -> R {
        do {
            return try await body()
        } catch let error as RedisError {
            throw RedisBackend.translated(error, operation: operation, key: key, logger: logger)
        }
    }

    /// The facade's form of a client error.
    static func translated(_ error: RedisError, operation: String, key: String?, logger: Logger?) -> BackendError {
        guard error.kind == .server else {
            return BackendError(
                .unavailable, key: key,
                message: "Redis failed in \(operation): \(error.message). Check that the server is reachable, or"
                    + " set the cache up with suppress=true (the default for redis://) to read failures as misses",
                underlying: error)
        }
        let message = error.message
        if message.contains("not an integer") || message.contains("not a valid integer") {
            return key.map(BackendError.notAnInteger)
                ?? BackendError(.notAnInteger, message: message, underlying: error)
        }
        if message.contains("overflow") {
            return key.map(BackendError.integerOverflow)
                ?? BackendError(.integerOverflow, message: message, underlying: error)
        }
        if message.hasPrefix("WRONGTYPE") || message.contains("WRONGTYPE") {
            let subject = key.map { "\"\($0)\"" } ?? "the key"
            return BackendError(
                .invalidArgument, key: key,
                message: "\(subject) holds a value of another kind (a string, a set, a counter) than \(operation)"
                    + " works on; delete it first", underlying: error)
        }
        return BackendError(
            .storage, key: key, message: "Redis refused \(operation): \(message)", underlying: error)
    }
}
