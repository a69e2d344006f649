import ArgumentParser

/// A failure of a command, with the exit code the tool documents for it and a message that
/// says what to do.
///
/// Exit codes: 0 ok, 1 not found (or the command could not do what it was asked), 2 usage,
/// 3 damage found, 4 cannot open the cache, 130 interrupted.
public struct CommandFailure: Error, CustomStringConvertible {
    /// The process exit code.
    public var exitCode: Int32
    /// What went wrong and what to do; empty for a silent failure (a key that is not found).
    public var message: String

    /// The key (or keys) asked for are not in the cache.
    static func notFound(_ message: String = "") -> CommandFailure { CommandFailure(exitCode: 1, message: message) }
    /// The command failed for another reason (storage, file system); described by `message`.
    static func failed(_ message: String) -> CommandFailure { CommandFailure(exitCode: 1, message: message) }
    /// The command line is wrong.
    static func usage(_ message: String) -> CommandFailure { CommandFailure(exitCode: 2, message: message) }
    /// A check found damage.
    static func damage(_ message: String) -> CommandFailure { CommandFailure(exitCode: 3, message: message) }
    /// The cache cannot be opened.
    static func cannotOpen(_ message: String) -> CommandFailure { CommandFailure(exitCode: 4, message: message) }
    /// The user interrupted a long operation (Ctrl-C) between two batches.
    static let interrupted = CommandFailure(
        exitCode: 130, message: "interrupted: the cache is consistent (every finished batch was committed)")

    /// The message.
    public var description: String { message }
}
