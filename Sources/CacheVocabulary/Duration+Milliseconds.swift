// The one conversion of durations to milliseconds, the unit of every stored deadline.
extension Duration {
    /// The duration in whole milliseconds, rounded toward zero (saturating).
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (fromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        let (total, overflow2) = fromSeconds.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        if overflow2 { return seconds < 0 ? .min : .max }
        return total
    }

    /// The duration in milliseconds, rounded up (saturating).
    package var roundedUpMilliseconds: Int64 {
        let whole = milliseconds
        let remainder = components.attoseconds % 1_000_000_000_000_000
        return remainder > 0 && whole < .max ? whole + 1 : whole
    }
}
