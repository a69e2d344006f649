extension Cache {
    /// Wraps `function` so that its results are cached by its arguments: the returned function
    /// answers from the cache when it can, as
    /// ``cached(key:ttl:condition:timeCondition:tags:lock:lockTimeout:protected:prefix:upper:_:)``.
    ///
    /// ```swift
    /// let user = cache.memoize(ttl: "1h") { (id: Int) in try await db.user(id) }
    /// let ada = try await user(1)
    /// ```
    ///
    /// Keys come from ``DefaultKey/make(fileID:function:type:arguments:)`` with the place the
    /// function is memoized (file, enclosing function and line) and the call's arguments, so two
    /// memoized functions never share keys. A key that includes the line changes when the code
    /// moves: pass `name` for keys that survive edits (and that other processes can share).
    /// Every stored result is tagged with `tags` (use the key-template form for tags that depend
    /// on the arguments).
    public func memoize<each Argument: Sendable, Value: Codable & Sendable>(
        ttl: TTL?, name: String? = nil, condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil,
        tags: [String] = [], lock: Bool = false, protected: Bool = true, fileID: String = #fileID,
        function: String = #function,
        line: Int = #line, _ body: @escaping @Sendable (repeat each Argument) async throws -> Value
    ) -> @Sendable (repeat each Argument) async throws -> Value {
        let place = name ?? "\(fileID):\(function)#\(line)"
        return { (argument: repeat each Argument) in
            var arguments: [any Sendable] = []
            repeat arguments.append(each argument)
            let key = DefaultKey.make(fileID: fileID, function: place, arguments: arguments)
            return try await self.cached(
                key: key, ttl: ttl, condition: condition, timeCondition: timeCondition, tags: tags, lock: lock,
                protected: protected
            ) {
                try await body(repeat each argument)
            }
        }
    }
}
