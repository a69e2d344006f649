extension Cache {
    /// The prefix of every tag membership key (route it with `setup(_:prefix: "_tag")` to keep
    /// tags on a backend of their own, as cashews' `setup_tags_backend`).
    public static let tagPrefix = "_tag"

    /// Stores `value` under `key` for `ttl`, as ``set(_:_:ttl:)``, and tags it with `tags`, so that
    /// ``delete(taggedWith:)`` can invalidate it with every other entry of a tag.
    ///
    /// ```swift
    /// try await cache.set("user:7:profile", profile, ttl: "1h", tags: ["user:7"])
    /// try await cache.set("user:7:orders", orders, ttl: "5m", tags: ["user:7", "orders"])
    /// try await cache.delete(taggedWith: ["user:7"])    // both are gone
    /// ```
    ///
    /// The memberships are written before the value, so a value is never stored untagged (a
    /// failure between the two leaves a membership without a value, which costs nothing).
    ///
    /// - Throws: ``CashewsError/invalidArgument(_:)`` for an empty tag, then as `set` does.
    nonisolated(nonsending) public func set<T: Codable & Sendable>(
        _ key: String, _ value: T, ttl: TTL? = nil, tags: [String]
    ) async throws {
        let expiry = try expiry(ttl)
        try await tag(key, with: tags, expiry: expiry)
        _ = try await store(key, value, expiry: expiry)
    }

    /// Adds `delta` to the integer under `key`, as ``increment(_:by:ttl:)``, and tags it with
    /// `tags` (replacing the tags it had), as cashews' `incr(..., tags=)`.
    @discardableResult
    nonisolated(nonsending) public func increment(_ key: String, by delta: Int64 = 1, ttl: TTL? = nil, tags: [String])
        async throws -> Int64
    {
        let expiry = try expiry(ttl)
        try await tag(key, with: tags, expiry: expiry)
        return try await backend(for: key).increment(key, by: delta, expiry: expiry)
    }

    /// The tags of `key`, sorted (none when it holds no live value): cashews' `get_key_tags`.
    /// They are the tags it was stored with and those registered for keys of its form.
    nonisolated(nonsending) public func tags(of key: String) async throws -> [String] {
        guard try await exists(key) else { return [] }
        let reverse = Self.tagsKey(of: key)
        let stored = try await backend(for: reverse).members(of: reverse)
        return Set(stored + registeredTags(for: key)).sorted()
    }

    /// Registers `tag` for every key of the form `keys`, as cashews' `register_tag`: from now
    /// on, a key this cache writes that `keys` matches is tagged with `tag`, rendered from the
    /// values of the key's placeholders, whatever the write (a plain `set`, a strategy).
    ///
    /// ```swift
    /// try cache.registerTag(KeyTemplate("user:{id}"), forKeys: KeyTemplate("user:{id}:{part}"))
    /// try await cache.set("user:7:orders", orders)      // tagged user:7
    /// try await cache.delete(taggedWith: "user:7")
    /// ```
    ///
    /// - Throws: ``CashewsError/invalidArgument(_:)`` when `tag` reads a value that is not a
    ///   bare placeholder (`{id}`, without fields or formatters) of `keys`: only those can be read
    ///   back from a key.
    public func registerTag(_ tag: KeyTemplate, forKeys keys: KeyTemplate) throws {
        let readable = keys.barePlaceholderNames
        if let missing = tag.placeholderNames.first(where: { !readable.contains($0) }) {
            throw CashewsError.invalidArgument(
                "the tag template \"\(tag.text)\" reads {\(missing)}, which is not a bare placeholder of the key"
                    + " template \"\(keys.text)\" (bare: \(readable)): write the key template with {\(missing)}")
        }
        strategies.registeredTags.withLock { $0.append((tag, keys)) }
        strategies.tagsInUse.store(true, ordering: .relaxed)
    }

    /// The registered tags of `key`, rendered from the values its form gives.
    func registeredTags(for key: String) -> [String] {
        let registered = strategies.registeredTags.withLock { $0 }
        guard !registered.isEmpty else { return [] }
        return registered.compactMap { entry in
            guard let values = entry.keys.values(in: key) else { return nil }
            return try? entry.tag.render(values)
        }
    }

    /// Deletes every entry tagged with any of `tags` (on whichever backend serves it) and the
    /// tags' memberships; returns how many live values were deleted.
    ///
    /// Memberships are ordinary entries that expire shortly after the entries they name, so a
    /// tag costs nothing once its entries are gone. Overwriting or deleting a key through this
    /// cache removes its tags (an entry stored again without a tag is not deleted by it), in any
    /// process sharing the backend: a cache that has not tagged itself looks for the marker
    /// other caches leave when they tag (the key `_tag`) at most every 100 ms, so it untags
    /// from at most that long after the first tag anywhere.
    ///
    /// - Throws: ``CashewsError/invalidArgument(_:)`` for an empty tag, or the backends' errors.
    @discardableResult
    nonisolated(nonsending) public func delete(taggedWith tags: [String]) async throws -> Int {
        var deleted = 0
        for tag in tags {
            let memberships = try await memberships(of: tag)
            // Each key loses all its tags with its value, so no other tag deletes it later.
            for membership in memberships { try await untag(membership.key) }
            deleted += try await delete(memberships.map(\.key))
            // Values first, memberships last: an interrupted invalidation can be run again.
            _ = try await delete(memberships.map(\.membership))
        }
        return deleted
    }

    /// ``delete(taggedWith:)`` for a list of tags written out.
    @discardableResult
    nonisolated(nonsending) public func delete(taggedWith tags: String...) async throws -> Int {
        try await delete(taggedWith: tags)
    }

    /// The keys tagged with `tag` that hold a live value, sorted.
    ///
    /// - Throws: ``CashewsError/invalidArgument(_:)`` for an empty tag, or the backends' errors.
    nonisolated(nonsending) public func keys(taggedWith tag: String) async throws -> [String] {
        var keys: [String] = []
        for (_, key) in try await memberships(of: tag) where try await exists(key) { keys.append(key) }
        return keys.sorted()
    }

    // MARK: Memberships

    /// Records that `key` carries each of `tags` (and only those: the tags it had are removed),
    /// for as long as an entry with `expiry` lives.
    nonisolated(nonsending) func tag(_ key: String, with given: [String], expiry: Expiry) async throws {
        try await untagIfTagged(key)
        let registered = registeredTags(for: key)
        let tags = registered.isEmpty ? given : Array(Set(given + registered)).sorted()
        guard !tags.isEmpty else { return }
        guard !key.isEmpty else { throw CashewsError.emptyKey }
        strategies.tagsInUse.store(true, ordering: .relaxed)
        try await writeTagMarker()
        let membershipExpiry = Self.membershipExpiry(for: expiry)
        for tag in tags {
            let membership = try Self.membershipPrefix(checking: tag) + key
            _ = try await backend(for: membership).set(
                membership, .bytes([]), expiry: membershipExpiry, condition: .always)
        }
        let reverse = Self.tagsKey(of: key)
        _ = try await backend(for: reverse).addToSet(reverse, tags, expiry: membershipExpiry)
    }

    /// Removes the tags of `key`, when any cache sharing the backend has tagged a key.
    nonisolated(nonsending) func untagIfTagged(_ key: String) async throws {
        if !strategies.tagsInUse.load(ordering: .relaxed) {
            guard try await tagsInUseElsewhere() else { return }
        }
        try await untag(key)
    }

    /// `_tag` (the prefix alone, so that no `_tag:*` pattern lists it): written once by every
    /// cache that tags, on the backend that serves tags, so that caches of other processes
    /// sharing it untag what they overwrite or delete. One empty entry, without expiry.
    static let tagMarkerKey = tagPrefix

    /// How often a cache that has not tagged looks for the marker: a process that never tags
    /// starts untagging at most this long after another process sharing the backend first tags.
    static let tagMarkerCheckInterval: Int64 = 100

    /// Writes the tags-in-use marker, once per cache.
    nonisolated(nonsending) func writeTagMarker() async throws {
        guard !strategies.tagMarkerWritten.load(ordering: .relaxed) else { return }
        _ = try await backend(for: Self.tagMarkerKey).set(
            Self.tagMarkerKey, .bytes([]), expiry: .never, condition: .always)
        strategies.tagMarkerWritten.store(true, ordering: .relaxed)
    }

    /// Whether another cache (of this process or another) has tagged keys on the backend that
    /// serves tags; looked up at most every ``tagMarkerCheckInterval`` milliseconds, and sticky.
    nonisolated(nonsending) func tagsInUseElsewhere() async throws -> Bool {
        let now = clock.now()
        let last = strategies.tagMarkerCheckedAt.load(ordering: .relaxed)
        guard last == .min || now < last || now - last >= Self.tagMarkerCheckInterval else { return false }
        strategies.tagMarkerCheckedAt.store(now, ordering: .relaxed)
        guard try await backend(for: Self.tagMarkerKey).exists(Self.tagMarkerKey) else { return false }
        strategies.tagsInUse.store(true, ordering: .relaxed)
        return true
    }

    /// Removes every membership of `key` and the record of its tags.
    nonisolated(nonsending) func untag(_ key: String) async throws {
        guard !key.isEmpty else { return }
        let reverse = Self.tagsKey(of: key)
        let backend = try backend(for: reverse)
        let tags = try await backend.members(of: reverse)
        guard !tags.isEmpty else { return }
        for tag in tags {
            let membership = Self.membershipPrefix(of: tag) + key
            _ = try await self.backend(for: membership).delete(membership)
        }
        _ = try await backend.delete(reverse)
    }

    /// `_tag:of:<key>`: the set of the tags of `key` (no membership key has `of` after the prefix,
    /// where the tag's length is).
    static func tagsKey(of key: String) -> String { "\(tagPrefix):of:\(key)" }

    /// A membership outlives its entry by a second: it is written just before the entry, and
    /// must never expire while the entry still lives.
    static func membershipExpiry(for expiry: Expiry) -> Expiry {
        switch expiry {
        case .never, .keep: return .never
        case .after(let duration): return .after(duration + .seconds(1))
        case .at(let milliseconds): return .at(milliseconds: milliseconds > .max - 1000 ? .max : milliseconds + 1000)
        }
    }

    /// The memberships of `tag`, from every backend that may hold them, with the keys they name.
    nonisolated(nonsending) private func memberships(of tag: String) async throws -> [(membership: String, key: String)]
    {
        let prefix = try Self.membershipPrefix(checking: tag)
        let prefixLength = prefix.utf8.count
        var memberships: [(membership: String, key: String)] = []
        for try await membership in scan(Self.globEscaped(prefix) + "*") {
            memberships.append((membership, String(decoding: membership.utf8.dropFirst(prefixLength), as: UTF8.self)))
        }
        return memberships
    }

    /// `_tag:<UTF-8 length of tag>:<tag>:`: the length keeps tags apart when one is a prefix of
    /// another (`a` and `a:b`).
    static func membershipPrefix(of tag: String) -> String {
        "\(tagPrefix):\(tag.utf8.count):\(tag):"
    }

    private static func membershipPrefix(checking tag: String) throws -> String {
        guard !tag.isEmpty else {
            throw CashewsError.invalidArgument("a tag is a non-empty string, such as \"user:7\"")
        }
        return membershipPrefix(of: tag)
    }

    /// `text` as a glob that matches only itself (globs are read by Unicode scalars, so
    /// escaping is too: a combining mark must not hide a `*`).
    static func globEscaped(_ text: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if "*?[]\\".unicodeScalars.contains(scalar) { escaped.append("\\") }
            escaped.append(scalar)
        }
        return String(escaped)
    }
}
