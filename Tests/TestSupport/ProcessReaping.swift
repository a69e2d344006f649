import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How a child process ended.
public struct ChildExit: Sendable, Hashable {
    /// Its exit code, or the number of the signal that ended it.
    public let status: Int32
    /// True when a signal ended it.
    public let bySignal: Bool
}

extension Process {
    /// Waits for the child to exit — at most `seconds`, then kills it with SIGKILL — and returns
    /// its exit status (the signal's number when a signal ended it).
    ///
    /// Not `waitUntilExit()`: with many children exiting at once, Foundation's monitor can miss
    /// one, which then stays a zombie while that wait spins forever; this one reaps such a
    /// zombie itself (see ``waitForEnd(seconds:)``).
    @discardableResult
    public func waitForExit(seconds: Double = 120) -> Int32 { waitForEnd(seconds: seconds).status }

    /// ``waitForExit(seconds:)``, telling an exit from a signal.
    ///
    /// Foundation's monitor reaps the child and records its status. Only when the child has
    /// stayed a zombie for a second (the monitor missed it) is it reaped here: reaping earlier
    /// would free its pid while the monitor still watches it, and a new child given that pid
    /// could then be reaped by the monitor as this one.
    @discardableResult
    public func waitForEnd(seconds: Double = 120) -> ChildExit {
        let deadline = Date().addingTimeInterval(seconds)
        var killed = false
        var zombieSince: Date?
        var polls = 0
        while isRunning {
            polls += 1
            if polls % 25 == 0 {
                if isZombie {
                    let since = zombieSince ?? Date()
                    zombieSince = since
                    if Date().timeIntervalSince(since) > 1 {
                        var status: Int32 = 0
                        if waitpid(processIdentifier, &status, WNOHANG) == processIdentifier {
                            let bySignal = status & 0x7f != 0
                            return ChildExit(
                                status: bySignal ? status & 0x7f : (status >> 8) & 0xff, bySignal: bySignal)
                        }
                    }
                } else {
                    zombieSince = nil
                }
            }
            if !killed && Date() >= deadline {
                kill(processIdentifier, SIGKILL)
                killed = true
            }
            usleep(2000)
        }
        return ChildExit(status: terminationStatus, bySignal: terminationReason == .uncaughtSignal)
    }

    /// True when the child has exited but nobody has reaped it (state `Z` in `/proc/<pid>/stat`).
    private var isZombie: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(processIdentifier)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: end)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
