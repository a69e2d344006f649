extension Expiry {
    /// The absolute expiry in milliseconds (0 = never) for a write at `now`, or nil to keep the
    /// current one; the engine's check that a time-to-live is positive.
    func deadline(now: Int64) throws(DiskCacheError) -> Int64? {
        if let invalid = invalidDuration { throw .invalidTTL(invalid) }
        return deadline(from: now)
    }
}
