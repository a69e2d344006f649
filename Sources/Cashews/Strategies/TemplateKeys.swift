extension Cache {
    /// ``cached(key:ttl:condition:timeCondition:tags:lock:lockTimeout:protected:prefix:upper:_:)`` with a key
    /// rendered from `template` and `values` (and the ``KeyContext``); tag templates are rendered
    /// from the same values when an outcome is stored.
    ///
    /// ```swift
    /// let profile = try KeyTemplate("profile:{user.id}:{locale:lower}")   // parse once
    /// let owner = try KeyTemplate("user:{user.id}")
    /// let page = try await cache.cached(
    ///     key: profile, values: ["user": user, "locale": locale], ttl: "10m", tags: [owner]
    /// ) {
    ///     try await render(user, locale)
    /// }
    /// ```
    ///
    /// - Throws: ``KeyTemplateError`` when a placeholder has no value, then as `cached` does.
    nonisolated(nonsending) public func cached<Value: Codable & Sendable>(
        key template: KeyTemplate, values: [String: any Sendable], ttl: TTL?,
        condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil, tags: [KeyTemplate] = [],
        lock: Bool = false, lockTimeout: TTL? = nil, protected: Bool = true,
        _ compute: @Sendable () async throws -> Value
    ) async throws -> Value {
        try await cached(
            key: template.render(values), ttl: ttl, condition: condition, timeCondition: timeCondition,
            tagging: tags.isEmpty ? .none : .templates(tags, values: values), lock: lock, lockTimeout: lockTimeout,
            protected: protected, compute)
    }

    /// Wraps `function` so that its results are cached under keys rendered from `template`: the
    /// arguments fill the template's placeholders in the order they first appear (see
    /// ``KeyTemplate/placeholderNames``); placeholders beyond the arguments come from the
    /// ``KeyContext``.
    ///
    /// ```swift
    /// let user = cache.memoize(key: try KeyTemplate("user:{id}:{lang:lower}"), ttl: "1h") {
    ///     (id: Int, lang: String) in try await db.user(id, lang)
    /// }
    /// try await user(7, "EN")   // key "user:7:en"
    /// ```
    ///
    /// Unlike ``memoize(ttl:name:condition:timeCondition:tags:lock:protected:fileID:function:line:_:)``,
    /// the keys are exactly what the template says: readable, stable across edits, shareable with
    /// other processes and with ``Cache/delete(matching:)``. Tag templates in `tags` read the same
    /// arguments, by the key template's placeholder names:
    /// `tags: [try KeyTemplate("user:{id}")]` tags every result of user 7 with `user:7`.
    ///
    /// - Throws: (from the returned function) ``CashewsError/invalidArgument(_:)`` when the
    ///   function has more arguments than the template has placeholders, ``KeyTemplateError``
    ///   when a placeholder has no value, then as `cached` does.
    public func memoize<each Argument: Sendable, Value: Codable & Sendable>(
        key template: KeyTemplate, ttl: TTL?, condition: CacheCondition<Value> = .allValues,
        timeCondition: TTL? = nil, tags: [KeyTemplate] = [], lock: Bool = false, protected: Bool = true,
        _ body: @escaping @Sendable (repeat each Argument) async throws -> Value
    ) -> @Sendable (repeat each Argument) async throws -> Value {
        { (argument: repeat each Argument) in
            var arguments: [any Sendable] = []
            repeat arguments.append(each argument)
            guard arguments.count <= template.placeholderNames.count else {
                throw CashewsError.invalidArgument(
                    "the key template \"\(template.text)\" has \(template.placeholderNames.count) placeholders"
                        + " \(template.placeholderNames) for \(arguments.count) arguments: give it one placeholder per"
                        + " argument, in order")
            }
            let tagging: StrategyTags =
                tags.isEmpty ? .none : .positional(tags, names: template.placeholderNames, values: arguments)
            return try await self.cached(
                key: template.render(positional: arguments), ttl: ttl, condition: condition,
                timeCondition: timeCondition, tagging: tagging, lock: lock, lockTimeout: nil, protected: protected
            ) {
                try await body(repeat each argument)
            }
        }
    }
}
