extension GlobPattern {
    /// Parses `pattern`, reporting a malformed one as the engine's
    /// ``DiskCacheError/invalidPattern(_:reason:)``.
    init(validating pattern: String) throws(DiskCacheError) {
        do {
            try self.init(pattern)
        } catch {
            throw .invalidPattern(error.pattern, reason: error.reason)
        }
    }
}
