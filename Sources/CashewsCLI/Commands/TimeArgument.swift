import ArgumentParser
import DiskCache

/// A time-to-live on the command line: a number with a unit (`500ms`, `30s`, `10m`, `1h`, `2d`),
/// several joined (`1h30m`), or a plain number of seconds.
struct TimeArgument: ExpressibleByArgument, Sendable {
    /// The time in milliseconds.
    var milliseconds: Int64

    init?(argument: String) {
        if let seconds = Double(argument) {
            guard seconds > 0 else { return nil }
            milliseconds = Int64((seconds * 1000).rounded(.up))
            return
        }
        let units: [String: Int64] = ["ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000]
        var total: Int64 = 0
        var rest = Substring(argument.lowercased())
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count)
            guard let value = Double(number), let scale = units[String(unit)] else { return nil }
            total += Int64((value * Double(scale)).rounded(.up))
        }
        guard total > 0 else { return nil }
        milliseconds = total
    }

    /// The expiry of a write with this time-to-live.
    var expiry: Expiry { .after(.milliseconds(milliseconds)) }
}

/// A remaining time for people: `forever`, `950ms`, `42s`, `1h 02m 03s`.
func describe(_ ttl: TimeToLive) -> String {
    guard case .remaining(let duration) = ttl else { return "forever" }
    let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    if milliseconds < 1000 { return "\(milliseconds)ms" }
    let seconds = milliseconds / 1000
    if seconds < 60 { return "\(seconds)s" }
    let parts = [
        (seconds / 86400, "d"), (seconds % 86400 / 3600, "h"), (seconds % 3600 / 60, "m"), (seconds % 60, "s"),
    ]
    return parts.drop { $0.0 == 0 }.map { "\($0.0)\($0.1)" }.joined(separator: " ")
}

/// The remaining milliseconds of `ttl`; nil for no expiry.
func milliseconds(_ ttl: TimeToLive) -> Int64? {
    guard case .remaining(let duration) = ttl else { return nil }
    return duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
}
