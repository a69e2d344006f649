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

    /// Wraps `function` so that its results are cached under keys rendered from `template`,
    /// its arguments bound to the placeholders **by name**: `arguments` names them in order.
    /// Placeholders that are not arguments come from the ``KeyContext``.
    ///
    /// ```swift
    /// let user = cache.memoize(key: try KeyTemplate("user:{lang:lower}:{id}"), ttl: "1h", arguments: ["id", "lang"]) {
    ///     (id: Int, lang: String) in try await db.user(id, lang)
    /// }
    /// try await user(7, "EN")   // key "user:en:7"
    /// ```
    ///
    /// Arguments are never bound silently by position (as cashews binds by parameter name, a
    /// reordered template must not swap them): without `arguments`, only a function of one
    /// argument under a template of one placeholder, or of no argument, is accepted.
    ///
    /// Unlike ``memoize(ttl:name:condition:timeCondition:tags:lock:protected:fileID:function:line:_:)``,
    /// the keys are exactly what the template says: readable, stable across edits, shareable with
    /// other processes and with ``Cache/delete(matching:)``. Tag templates in `tags` read the
    /// same names: `tags: [try KeyTemplate("user:{id}")]` tags every result of user 7 with `user:7`.
    ///
    /// - Throws: (from the returned function) ``CashewsError/invalidArgument(_:)`` when
    ///   `arguments` does not name every argument once, names one the template does not use (its
    ///   calls would share keys), or is missing where binding by position would be a guess;
    ///   ``KeyTemplateError`` when a placeholder has no value; then as `cached` does.
    public func memoize<each Argument: Sendable, Value: Codable & Sendable>(
        key template: KeyTemplate, ttl: TTL?, arguments names: [String]? = nil,
        condition: CacheCondition<Value> = .allValues, timeCondition: TTL? = nil, tags: [KeyTemplate] = [],
        lock: Bool = false, protected: Bool = true,
        _ body: @escaping @Sendable (repeat each Argument) async throws -> Value
    ) -> @Sendable (repeat each Argument) async throws -> Value {
        { (argument: repeat each Argument) in
            var arguments: [any Sendable] = []
            repeat arguments.append(each argument)
            let values = try Cache.bind(arguments, names: names, to: template)
            return try await self.cached(
                key: template.render(values), ttl: ttl, condition: condition, timeCondition: timeCondition,
                tagging: tags.isEmpty ? .none : .templates(tags, values: values), lock: lock, lockTimeout: nil,
                protected: protected
            ) {
                try await body(repeat each argument)
            }
        }
    }

    /// The values of `arguments` by the names of `names`, checked against `template`.
    static func bind(_ arguments: [any Sendable], names: [String]?, to template: KeyTemplate) throws
        -> [String: any Sendable]
    {
        let placeholders = template.placeholderNames
        guard let names else {
            guard arguments.isEmpty || (arguments.count == 1 && placeholders.count == 1) else {
                throw CashewsError.invalidArgument(
                    "memoize(key: \"\(template.text)\") has \(arguments.count) arguments and the placeholders"
                        + " \(placeholders): name the arguments in order, e.g. arguments: \(placeholders),"
                        + " so that none is bound to a placeholder by guessing its position")
            }
            return arguments.isEmpty ? [:] : [placeholders[0]: arguments[0]]
        }
        guard names.count == arguments.count, Set(names).count == names.count else {
            throw CashewsError.invalidArgument(
                "memoize(key: \"\(template.text)\", arguments: \(names)) is called with \(arguments.count)"
                    + " arguments: name each argument once, in order")
        }
        if let unused = names.first(where: { !placeholders.contains($0) }) {
            throw CashewsError.invalidArgument(
                "the argument \"\(unused)\" is not in the key template \"\(template.text)\" (placeholders"
                    + " \(placeholders)): calls that differ only in it would share a key; add {\(unused)} to the"
                    + " template")
        }
        return Dictionary(uniqueKeysWithValues: zip(names, arguments))
    }
}
