/// Draws one line of progress — a bar, the count, the rate and the time left — on a terminal, at
/// most ten times a second, and nothing at all when the stream is not a terminal.
///
/// ```
/// export ████████████░░░░░░░░░░░░  512,000/1,000,000  51%  412.3k/s  ETA 1s
/// ```
final class ProgressBar {
    private let label: String
    private let stream: any TerminalStream
    private let clock: () -> Double
    private let start: Double
    private var total: Int?
    private var lastDraw = -Double.infinity
    private var drawn = false

    /// A bar titled `label` for `total` units (nil when the total is not known: no bar, no ETA),
    /// drawn on `stream`; `clock` gives seconds (injected by tests).
    init(
        _ label: String, total: Int?, stream: any TerminalStream = Terminal.standardError,
        clock: @escaping () -> Double = ProgressBar.monotonicSeconds
    ) {
        self.label = label
        self.total = total
        self.stream = stream
        self.clock = clock
        self.start = clock()
    }

    /// Reports that `done` units are finished (drawn when a tenth of a second has passed).
    func update(_ done: Int, total newTotal: Int? = nil) {
        if let newTotal { total = newTotal }
        guard stream.isInteractive else { return }
        let now = clock()
        guard now - lastDraw >= 0.1 else { return }
        lastDraw = now
        drawn = true
        stream.write(
            "\r"
                + ProgressBar.render(
                    label: label, done: done, total: total, elapsed: now - start, columns: stream.columns) + "\u{1B}[K")
    }

    /// Erases the bar (the line is left empty for what the command prints next).
    func finish() {
        guard drawn else { return }
        stream.write("\r\u{1B}[K")
        drawn = false
    }

    /// The text of a progress line fitting `columns`: the label, a bar (when the total is known
    /// and there is room), the count, the percentage, the rate per second and the time left.
    static func render(label: String, done: Int, total: Int?, elapsed: Double, columns: Int) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var tail = "  " + grouped(done)
        if let total { tail += "/" + grouped(total) }
        if let total, total > 0 { tail += "  \(min(100, done * 100 / total))%" }
        tail += "  " + rateText(rate) + "/s"
        if let total, rate > 0, done < total {
            tail += "  ETA " + durationText(Double(total - done) / rate)
        }
        let head = label + " "
        let room = columns - 1 - head.count - tail.count
        guard let total, total > 0, room >= 10 else { return String((head + tail.dropFirst(2)).prefix(columns - 1)) }
        let width = min(room, 40)
        let filled = min(width, width * min(done, total) / total)
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        return head + bar + tail
    }

    /// `1234567` as `1,234,567`.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A rate such as `812`, `41.2k` or `1.3M`.
    static func rateText(_ rate: Double) -> String {
        if rate >= 1_000_000 { return oneDecimal(rate / 1_000_000) + "M" }
        if rate >= 1000 { return oneDecimal(rate / 1000) + "k" }
        return String(Int(rate))
    }

    /// A time such as `7s`, `3m05s` or `2h10m`.
    static func durationText(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        if whole < 60 { return "\(whole)s" }
        if whole < 3600 { return "\(whole / 60)m" + twoDigits(whole % 60) + "s" }
        return "\(whole / 3600)h" + twoDigits(whole % 3600 / 60) + "m"
    }

    private static func oneDecimal(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Seconds on the monotonic clock.
    static func monotonicSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
