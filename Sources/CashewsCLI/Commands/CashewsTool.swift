import ArgumentParser
import DiskCache

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `cashews` command: look into, maintain and move a disk cache, offline or beside the
/// processes that use it.
public struct CashewsTool: ParsableCommand {
    /// The command's name, abstract, discussion and subcommands.
    public static let configuration = CommandConfiguration(
        commandName: "cashews",
        abstract: "Look into, maintain and move a swift-cashews disk cache.",
        discussion: """
            Every command works on the cache directory given with --cache (or $CASHEWS_CACHE) \
            through the DiskCache engine's public API, and is safe beside processes that use the \
            cache: long operations work in batches of short transactions, and Ctrl-C between \
            them leaves the cache consistent.

            EXIT CODES
              0    success
              1    not found (a key, or no key deleted), or the operation failed (see stderr)
              2    usage: a wrong command line
              3    check found damage
              4    the cache cannot be opened (missing, not a cache, newer format, permissions)
              130  interrupted (Ctrl-C); finished batches stay committed

            Inspecting commands take --json for a machine-readable answer on stdout. Progress \
            bars and colour appear only on a terminal (stderr); scripts see none.
            """,
        version: "1.0.0",
        subcommands: [
            StatsCommand.self, InfoCommand.self, GetCommand.self, SetCommand.self, DeleteCommand.self,
            KeysCommand.self, TTLCommand.self, ExpireCommand.self, SweepCommand.self, CullCommand.self,
            CheckCommand.self, ExportCommand.self, ImportCommand.self, ClearCommand.self,
        ]
    )

    /// Creates the root command (argument-parser needs it).
    public init() {}

    /// Parses `arguments`, runs the command, and exits with its documented status.
    public static func main(_ arguments: [String]) -> Never {
        let command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if code == 0 {
                if !message.isEmpty { print(message) }
                terminate(0)
            }
            Terminal.standardError.writeError(message)
            terminate(2)
        }
        do {
            var runnable = command
            try runnable.run()
            Output.standard.flush()
            CacheOptions.flushOpened()
            terminate(0)
        } catch let failure as CommandFailure {
            Output.standard.flush()
            CacheOptions.flushOpened()
            if !failure.message.isEmpty { Terminal.standardError.writeError(failure.message) }
            terminate(failure.exitCode)
        } catch let error as DiskCacheError {
            Output.standard.flush()
            CacheOptions.flushOpened()
            Terminal.standardError.writeError(error.description)
            terminate(error.isArgumentError ? 2 : 1)
        } catch {
            Output.standard.flush()
            CacheOptions.flushOpened()
            let code = exitCode(for: error).rawValue
            if code == 0 {
                let message = fullMessage(for: error)
                if !message.isEmpty { print(message) }
                terminate(0)
            }
            Terminal.standardError.writeError(fullMessage(for: error))
            terminate(error is ValidationError ? 2 : (code == ExitCode.validationFailure.rawValue ? 2 : 1))
        }
    }
}

/// Ends the process with `status` (`exit(3)`, which the command type's `exit` method hides).
func terminate(_ status: Int32) -> Never {
    exit(status)
}
