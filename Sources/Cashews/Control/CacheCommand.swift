/// A command of a ``Backend``, by name: what ``Cache/disable(_:prefix:)`` and
/// ``Cache/disabling(_:prefix:isolation:_:)`` switch off, and what a transaction buffers or not.
///
/// Reads answer as an empty cache would when disabled (a miss, `false`, `0`, nothing); writes
/// do nothing and answer as a write to an empty cache that stored nothing.
public enum CacheCommand: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// ``Backend/get(_:)-(String)``.
    case get
    /// ``Backend/get(_:)-([String])``.
    case getMany = "get_many"
    /// ``Backend/set(_:_:expiry:condition:)`` (also `add` and `replace`).
    case set
    /// ``Backend/set(_:expiry:)``.
    case setMany = "set_many"
    /// ``Backend/exists(_:)``.
    case exists
    /// ``Backend/delete(_:)-(String)``.
    case delete
    /// ``Backend/delete(_:)-([String])``.
    case deleteMany = "delete_many"
    /// ``Backend/delete(matching:)``.
    case deleteMatching = "delete_match"
    /// ``Backend/keys(matching:)`` (``Cache/scan(_:)``).
    case scan
    /// ``Backend/increment(_:by:expiry:)``.
    case increment = "incr"
    /// ``Backend/expire(_:after:)``.
    case expire
    /// ``Backend/timeToLive(_:)``.
    case timeToLive = "get_expire"
    /// ``Backend/modify(_:_:)``.
    case modify
    /// ``Backend/count()``.
    case count = "get_keys_count"
    /// ``Backend/size(of:)``.
    case size = "get_size"
    /// ``Backend/clear()``.
    case clear
    /// ``Backend/ping(_:)``.
    case ping
    /// ``Backend/getBits(_:at:size:)``.
    case getBits = "get_bits"
    /// ``Backend/incrementBits(_:at:size:by:)``.
    case incrementBits = "incr_bits"
    /// ``Backend/sliceIncrement(_:start:end:limit:expiry:)``.
    case sliceIncrement = "slice_incr"
    /// ``Backend/addToSet(_:_:expiry:)``.
    case addToSet = "set_add"
    /// ``Backend/removeFromSet(_:_:)``.
    case removeFromSet = "set_remove"
    /// ``Backend/popFromSet(_:count:)``.
    case popFromSet = "set_pop"
    /// ``Backend/members(of:)``.
    case members = "get_members"
    /// ``Backend/lock(_:token:ttl:)``.
    case lock = "set_lock"
    /// ``Backend/unlock(_:token:)``.
    case unlock
    /// ``Backend/isLocked(_:)``.
    case isLocked = "is_locked"

    /// The commands that read and change nothing.
    public static let reads: Set<CacheCommand> = [
        .get, .getMany, .exists, .scan, .timeToLive, .count, .size, .ping, .getBits, .members, .isLocked,
    ]

    /// The commands that change what the cache holds.
    public static var writes: Set<CacheCommand> { Set(allCases).subtracting(reads) }

    /// The name cashews gives the command (`get_many`, `incr`, `set_lock`…), also accepted by the
    /// `disable=` and `enable=` setup URL parameters.
    public var description: String { rawValue }

    /// The command named `name`: its cashews name (`get_many`) or its Swift name (`getMany`),
    /// in any case.
    public init?(named name: String) {
        let lowered = name.lowercased()
        if let command = CacheCommand(rawValue: lowered) {
            self = command
        } else if let command = CacheCommand.allCases.first(where: { "\($0)".lowercased() == lowered }) {
            self = command
        } else {
            return nil
        }
    }

    /// This command's bit in a ``CommandSet`` (its place in the declaration order).
    var bit: UInt32 {
        switch self {
        case .get: 1 << 0
        case .getMany: 1 << 1
        case .set: 1 << 2
        case .setMany: 1 << 3
        case .exists: 1 << 4
        case .delete: 1 << 5
        case .deleteMany: 1 << 6
        case .deleteMatching: 1 << 7
        case .scan: 1 << 8
        case .increment: 1 << 9
        case .expire: 1 << 10
        case .timeToLive: 1 << 11
        case .modify: 1 << 12
        case .count: 1 << 13
        case .size: 1 << 14
        case .clear: 1 << 15
        case .ping: 1 << 16
        case .getBits: 1 << 17
        case .incrementBits: 1 << 18
        case .sliceIncrement: 1 << 19
        case .addToSet: 1 << 20
        case .removeFromSet: 1 << 21
        case .popFromSet: 1 << 22
        case .members: 1 << 23
        case .lock: 1 << 24
        case .unlock: 1 << 25
        case .isLocked: 1 << 26
        }
    }
}

/// A set of commands as one word, checked on every command of a controlled backend.
struct CommandSet: Sendable, Hashable {
    var bits: UInt32

    static let none = CommandSet(bits: 0)
    static let all = CommandSet(CacheCommand.allCases)

    init(bits: UInt32) { self.bits = bits }

    init(_ commands: some Sequence<CacheCommand>) {
        bits = commands.reduce(0) { $0 | $1.bit }
    }

    var isEmpty: Bool { bits == 0 }
    var isAll: Bool { bits == CommandSet.all.bits }

    func contains(_ command: CacheCommand) -> Bool { bits & command.bit != 0 }
    func union(_ other: CommandSet) -> CommandSet { CommandSet(bits: bits | other.bits) }
    func subtracting(_ other: CommandSet) -> CommandSet { CommandSet(bits: bits & ~other.bits) }
    var commands: [CacheCommand] { CacheCommand.allCases.filter(contains) }
}
