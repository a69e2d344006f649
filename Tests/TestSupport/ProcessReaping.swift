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
    /// Waits for the child to exit — at most `seconds`, then kills it with SIGKILL — reaps it and
    /// returns its exit status (the signal's number when a signal ended it).
    ///
    /// Not `waitUntilExit()`: with many children exiting at once, Foundation's monitor can miss
    /// one, which then stays a zombie while that wait spins forever. This reaps the child itself
    /// (`waitpid`), or takes Foundation's status when its monitor reaped it first.
    @discardableResult
    public func waitForExit(seconds: Double = 120) -> Int32 { waitForEnd(seconds: seconds).status }

    /// ``waitForExit(seconds:)``, telling an exit from a signal.
    @discardableResult
    public func waitForEnd(seconds: Double = 120) -> ChildExit {
        let deadline = Date().addingTimeInterval(seconds)
        var killed = false
        while true {
            if let exit = reapedExit() { return exit }
            if !killed && Date() >= deadline {
                kill(processIdentifier, SIGKILL)
                killed = true
            }
            usleep(2000)
        }
    }

    /// The exit status once the child has exited and is reaped (by this call or by Foundation),
    /// nil while it runs.
    private func reapedExit() -> ChildExit? {
        var status: Int32 = 0
        let reaped = waitpid(processIdentifier, &status, WNOHANG)
        if reaped == processIdentifier {
            let bySignal = status & 0x7f != 0
            return ChildExit(status: bySignal ? status & 0x7f : (status >> 8) & 0xff, bySignal: bySignal)
        }
        if reaped == -1 && errno == ECHILD && !isRunning {
            return ChildExit(status: terminationStatus, bySignal: terminationReason == .uncaughtSignal)
        }
        return nil
    }
}
