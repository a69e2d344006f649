import ArgumentParser
import DiskCache

/// `cashews delete KEY…`: remove entries.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete one or more keys (in one transaction).",
        discussion: """
            Prints how many live entries were deleted; exits 1 when none was. With --json, \
            prints {"deleted": N}.
            """)

    @OptionGroup var options: CacheOptions
    @Argument(help: "The keys.") var keys: [String]
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if keys.isEmpty { throw ValidationError("give at least one key") }
    }

    func run() throws {
        let cache = try options.open()
        let deleted = try cache.delete(keys)
        Output.standard.line(json ? JSON.object([("deleted", .int(deleted))]).text : "deleted \(deleted)")
        if deleted == 0 { throw CommandFailure.notFound() }
    }
}
