import ArgumentParser
import DiskCache

/// `cashews info`: the LMDB environment underneath a cache.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show the LMDB environment of a cache (format, map, pages, readers).",
        discussion: """
            The storage view, for diagnosing a cache rather than its entries: the format line, \
            the map size (address space, not disk) and its ceiling, the page size, the bytes in \
            use and on disk, the last transaction id, the reader slots and the depth of the \
            entries' B-tree.

            With --json, prints one object: directory, format, map_size, maximum_map_size, \
            page_size, used_bytes, file_size, last_transaction, readers, max_readers, tree_depth.
            """)

    @OptionGroup var options: CacheOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let cache = try options.open()
        let info = try cache.storageInfo()
        if json {
            Output.standard.line(
                JSON.object([
                    ("directory", .string(cache.directory)), ("format", .string(info.format)),
                    ("map_size", .int(info.mapSize)), ("maximum_map_size", .int(info.maximumMapSize)),
                    ("page_size", .int(info.pageSize)), ("used_bytes", .int(info.usedBytes)),
                    ("file_size", .int(info.fileSize)), ("last_transaction", .int(info.lastTransactionID)),
                    ("readers", .int(info.readersInUse)), ("max_readers", .int(info.maxReaders)),
                    ("tree_depth", .int(info.treeDepth)),
                ]).text)
            return
        }
        printTable([
            ("directory", cache.directory),
            ("format", info.format),
            ("map size", "\(bytesText(info.mapSize)) (at most \(bytesText(info.maximumMapSize)))"),
            ("page size", "\(info.pageSize) bytes"),
            ("data file", "\(bytesText(info.fileSize)) on disk, \(bytesText(info.usedBytes)) in use"),
            ("last transaction", "\(info.lastTransactionID)"),
            ("readers", "\(info.readersInUse) of \(info.maxReaders) slots claimed"),
            ("tree depth", "\(info.treeDepth)"),
        ])
    }
}
