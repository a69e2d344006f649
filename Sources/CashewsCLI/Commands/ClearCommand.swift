import ArgumentParser
import DiskCache

/// `cashews clear --yes`: delete every entry.
struct ClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Delete every entry (asks for --yes).",
        discussion: """
            Deletes every entry and blob file in one write transaction (LMDB drops whole trees, \
            so its length does not grow with the entries). Needs --yes, so that a mistyped \
            command never empties a cache. With --json, prints {"removed": N}.
            """)

    @OptionGroup var options: CacheOptions
    @Flag(help: "Really delete everything.") var yes = false
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if !yes { throw ValidationError("clear deletes every entry: pass --yes to confirm") }
    }

    func run() throws {
        let cache = try options.open()
        let removed = try cache.clear()
        Output.standard.line(json ? JSON.object([("removed", .int(removed))]).text : "removed \(removed) entries")
    }
}
