import CLMDB

extension Environment {
    /// How an environment is opened. The defaults suit a cache: a 1 GiB map that grows
    /// on demand up to 1 TiB of address space, durable commits, 512 reader slots, 64 pooled read transactions.
    ///
    /// Only the first opener of a path in a process decides these options: later opens of the
    /// same path share its handle (LMDB allows one handle per path per process).
    public struct Options: Sendable, Hashable {
        /// The initial map size in bytes: the most the data file may hold before it must grow.
        /// It costs address space only; the file grows with the data.
        public var mapSize: Int
        /// The largest map size that automatic growth may reach, or `nil` to never grow
        /// automatically (a full map then throws ``LMDBError/Code/mapFull``).
        public var maximumMapSize: Int?
        /// Reader slots in the lock file, shared by every process that opens the path. Only the
        /// process that creates the lock file sets it.
        public var maxReaders: Int
        /// How many named databases may be opened.
        public var maxDatabases: Int
        /// Permission bits for the data and lock files, e.g. `0o600`.
        public var fileMode: UInt16
        /// LMDB flags. `MDB_NOTLS` is always added, whatever this says.
        public var flags: Flags
        /// How many reset read transactions are kept for reuse (each holds a reader slot), rounded
        /// up to a power of two. Each thread reuses the one of its own slot of the pool, so reads
        /// on up to this many threads at once never wait for one another nor begin a transaction;
        /// 0 keeps none (every read begins and aborts one).
        public var readTransactionPoolSize: Int

        /// Creates options; every parameter has a default that suits a cache.
        public init(
            mapSize: Int = 1 << 30,
            maximumMapSize: Int? = 1 << 40,
            maxReaders: Int = 512,
            maxDatabases: Int = 16,
            fileMode: UInt16 = 0o600,
            flags: Flags = [],
            readTransactionPoolSize: Int = 64
        ) {
            self.mapSize = mapSize
            self.maximumMapSize = maximumMapSize
            self.maxReaders = maxReaders
            self.maxDatabases = maxDatabases
            self.fileMode = fileMode
            self.flags = flags
            self.readTransactionPoolSize = readTransactionPoolSize
        }
    }

    /// Environment flags (`MDB_*` open flags). `MDB_NOTLS` is implied and cannot be removed.
    public struct Flags: OptionSet, Sendable, Hashable {
        /// The raw `MDB_*` bits.
        public let rawValue: UInt32
        /// Wraps raw `MDB_*` bits.
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// `MDB_NOSUBDIR`: the path names the data file itself, not a directory.
        public static let noSubdirectory = Flags(rawValue: UInt32(MDB_NOSUBDIR))
        /// `MDB_RDONLY`: open read-only; write transactions fail.
        public static let readOnly = Flags(rawValue: UInt32(MDB_RDONLY))
        /// `MDB_NOSYNC`: do not flush on commit. A process crash loses nothing; a system crash may
        /// lose recent commits, and keeps the file consistent only if the file system preserves
        /// the order of writes (with `writeMap`, it may corrupt the file).
        public static let noSync = Flags(rawValue: UInt32(MDB_NOSYNC))
        /// `MDB_NOMETASYNC`: flush data but not the meta page on commit. A system crash may lose
        /// the last commit but keeps the file consistent.
        public static let noMetaSync = Flags(rawValue: UInt32(MDB_NOMETASYNC))
        /// `MDB_WRITEMAP`: write through a writable map (faster writes, less protection against
        /// stray pointers).
        public static let writeMap = Flags(rawValue: UInt32(MDB_WRITEMAP))
        /// `MDB_MAPASYNC`: with `writeMap`, flush asynchronously.
        public static let mapAsync = Flags(rawValue: UInt32(MDB_MAPASYNC))
        /// `MDB_NORDAHEAD`: turn off read-ahead (helps random reads of maps larger than RAM).
        public static let noReadAhead = Flags(rawValue: UInt32(MDB_NORDAHEAD))
        /// `MDB_NOMEMINIT`: do not zero malloc'd pages before writing them.
        public static let noMemoryInit = Flags(rawValue: UInt32(MDB_NOMEMINIT))
    }
}
