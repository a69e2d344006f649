extension Cache {
    /// Returns once no background refresh (hit, dynamic, early) is queued or running: for
    /// tests, and for programs that want them done before they exit.
    nonisolated(nonsending) public func waitForBackgroundRefreshes() async {
        await strategies.background.waitUntilIdle()
    }

    /// Cancels the background refreshes running outside ``run()`` (those inside it end with
    /// it). ``run()`` calls it when it ends.
    public func cancelBackgroundRefreshes() {
        strategies.background.cancelAll()
    }

    /// Holds new background refreshes in a queue until ``resumeBackgroundRefreshes()``, so that
    /// tests can observe what callers see before a refresh lands.
    package func pauseBackgroundRefreshes() {
        strategies.background.pause()
    }

    /// Starts the background refreshes held since ``pauseBackgroundRefreshes()``.
    package func resumeBackgroundRefreshes() {
        strategies.background.resume()
    }
}
