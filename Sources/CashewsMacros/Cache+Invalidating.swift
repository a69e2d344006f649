// The invalidation that `@Invalidate` expands to. It lives in CashewsMacros, not in the facade,
// and is built on the facade's public deletes (`delete(_:)`, `delete(matching:)`,
// `delete(taggedWith:)`).
extension Cache {
    /// Runs `body` and, when it returns, deletes `key` (every key it matches when it has glob
    /// characters, `*`, `?` or `[`) and every entry tagged with `tags`: the expansion of
    /// `@Invalidate(key:tags:)`, as cashews' `@cache.invalidate`.
    ///
    /// ```swift
    /// let saved = try await cache.invalidating(key: "user:\(id)") { try await db.save(user) }
    /// ```
    ///
    /// `body` runs where the caller runs (on its actor, if any). Nothing is deleted when it
    /// throws.
    ///
    /// - Throws: What `body` throws, then the backend's errors.
    @discardableResult
    nonisolated(nonsending) public func invalidating<Value>(
        key: String?, tags: [String] = [], _ body: () async throws -> Value
    ) async throws -> Value {
        let value = try await body()
        try await invalidate(key: key, tags: tags)
        return value
    }

    /// Deletes `key` (every key it matches when it has glob characters, `*`, `?` or `[`) and
    /// every entry tagged with `tags`; returns how many keys went.
    @discardableResult
    nonisolated(nonsending) public func invalidate(key: String?, tags: [String] = []) async throws -> Int {
        var deleted = 0
        if let key {
            if key.contains(where: { "*?[".contains($0) }) {
                deleted += try await delete(matching: key)
            } else if try await delete(key) {
                deleted += 1
            }
        }
        if !tags.isEmpty { deleted += try await delete(taggedWith: tags) }
        return deleted
    }
}
