import CLMDB

/// A handle to a named database (a key/value B+tree) inside an ``Environment``.
///
/// Get one from ``Environment/database(named:flags:)``; it is a small value that is valid for
/// the environment's whole life and may be shared between threads and tasks. Using it in a
/// transaction of another environment traps with a message (LMDB itself would read or write
/// whichever database has the same index there).
public struct Database: Sendable, Hashable {
    @usableFromInline let handle: UInt32
    /// The address of the `MDB_env` that opened it: a handle is an index into that environment's
    /// table, and would silently address another database in another environment.
    let environment: UInt
    /// The name, or nil for the environment's unnamed main database.
    public let name: String?
    /// The flags the database was opened with.
    public let flags: DatabaseFlags
}

/// Flags of a database (`MDB_*` flags of `mdb_dbi_open`).
public struct DatabaseFlags: OptionSet, Sendable, Hashable {
    /// The raw `MDB_*` bits.
    public let rawValue: UInt32
    /// Wraps raw `MDB_*` bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `MDB_CREATE`: create the database if it does not exist.
    public static let create = DatabaseFlags(rawValue: UInt32(MDB_CREATE))
    /// `MDB_REVERSEKEY`: compare keys from their last byte backwards.
    public static let reverseKey = DatabaseFlags(rawValue: UInt32(MDB_REVERSEKEY))
    /// `MDB_DUPSORT`: a key may hold several sorted values.
    public static let duplicateSort = DatabaseFlags(rawValue: UInt32(MDB_DUPSORT))
    /// `MDB_INTEGERKEY`: keys are native `UInt32` or `Int`-sized unsigned integers.
    public static let integerKey = DatabaseFlags(rawValue: UInt32(MDB_INTEGERKEY))
    /// `MDB_DUPFIXED`: with `duplicateSort`, every value has the same size.
    public static let duplicateFixed = DatabaseFlags(rawValue: UInt32(MDB_DUPFIXED))
    /// `MDB_INTEGERDUP`: with `duplicateSort`, values are native unsigned integers.
    public static let integerDuplicate = DatabaseFlags(rawValue: UInt32(MDB_INTEGERDUP))
    /// `MDB_REVERSEDUP`: with `duplicateSort`, compare values from their last byte backwards.
    public static let reverseDuplicate = DatabaseFlags(rawValue: UInt32(MDB_REVERSEDUP))

    /// The flags that describe the database itself, without `create`.
    var persistent: DatabaseFlags { subtracting(.create) }
}

/// Flags of a single put (`MDB_*` flags of `mdb_put`).
public struct PutFlags: OptionSet, Sendable, Hashable {
    /// The raw `MDB_*` bits.
    public let rawValue: UInt32
    /// Wraps raw `MDB_*` bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `MDB_NOOVERWRITE`: fail with ``LMDBError/Code/keyExists`` when the key is present.
    public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    /// `MDB_NODUPDATA`: with `duplicateSort`, fail when the exact pair is present.
    public static let noDuplicateData = PutFlags(rawValue: UInt32(MDB_NODUPDATA))
    /// `MDB_APPEND`: the key sorts after every key present (fast bulk load).
    public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
    /// `MDB_APPENDDUP`: like `append`, for sorted duplicates.
    public static let appendDuplicate = PutFlags(rawValue: UInt32(MDB_APPENDDUP))
}
