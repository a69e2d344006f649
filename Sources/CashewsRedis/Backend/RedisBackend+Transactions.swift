import Cashews

extension RedisScript {
    /// `commit`: a transaction's writes, all in one script, so that no other client sees some of
    /// them without the others. ARGV: four per key — `s` (set) or `d` (delete), the expiry mode
    /// (px, pxat, keep, never), its milliseconds, and the value.
    static let commit = RedisScript(
        """
        for i = 1, #KEYS do
          local base = (i - 1) * 4
          if ARGV[base + 1] == 'd' then redis.call('DEL', KEYS[i])
          elseif ARGV[base + 2] == 'px' then redis.call('SET', KEYS[i], ARGV[base + 4], 'PX', ARGV[base + 3])
          elseif ARGV[base + 2] == 'pxat' then redis.call('SET', KEYS[i], ARGV[base + 4], 'PXAT', ARGV[base + 3])
          elseif ARGV[base + 2] == 'keep' then redis.call('SET', KEYS[i], ARGV[base + 4], 'KEEPTTL')
          else redis.call('SET', KEYS[i], ARGV[base + 4]) end
        end
        return #KEYS
        """)
}

extension RedisBackend {
    /// Applies a transaction's writes atomically: one script (a script runs with no other
    /// command in between, and its `SET`s and `DEL`s cannot fail half-way). A pattern delete is
    /// resolved first (`SCAN MATCH`): the keys it matches at commit time are deleted in the same
    /// script, so a key created by another client while the commit is under way may survive it.
    nonisolated(nonsending) public func commit(_ writes: [TransactionWrite]) async throws {
        var keys: [String] = []
        var deleted = Set<String>()
        for write in writes {
            guard case .deleteMatching(let pattern) = write else { continue }
            let prefix = configuration.namespace.count
            for stored in try await scan("commit", pattern.description) {
                let key = String(stored.dropFirst(prefix))
                if deleted.insert(key).inserted { keys.append(key) }
            }
        }
        var arguments: [RESPArgument] = []
        var storedKeys: [RESPArgument] = []
        for key in keys {
            storedKeys.append(try stored(key))
            arguments += ["d", "never", .integer(0), .string("")]
        }
        for write in writes {
            switch write {
            case .set(let key, let value, let expiry):
                let (mode, milliseconds) = try RedisBackend.scriptExpiry(expiry)
                storedKeys.append(try stored(key))
                arguments += [
                    "s", .string(mode), .integer(milliseconds), .bytes(try RedisBackend.bytes(value, key: key)),
                ]
                keys.append(key)
            case .delete(let key):
                storedKeys.append(try stored(key))
                arguments += ["d", "never", .integer(0), .string("")]
                keys.append(key)
            case .deleteMatching:
                continue
            }
        }
        guard !storedKeys.isEmpty else { return }
        clientSide?.invalidate(stored: keys.map { configuration.namespace + $0 })
        _ = try await evaluate("commit", .commit, key: nil, keys: storedKeys, arguments: arguments)
    }

    /// True: ``commit(_:)`` applies a transaction's writes in one script.
    public var commitsAtomically: Bool { true }
}
