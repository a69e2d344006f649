extension Cache {
    /// Runs `body`, then deletes the keys `templates` name, rendered with `arguments`: cashews'
    /// `@invalidate`. A template with a glob (`user:{id}:*`) deletes every key it matches; the
    /// values of `arguments` are escaped, so that they match only themselves. Nothing is
    /// deleted when `body` throws.
    ///
    /// ```swift
    /// try await cache.invalidating("user:{id}", "users:page:*", with: ["id": id]) {
    ///     try await database.update(user)
    /// }
    /// ```
    ///
    /// - Throws: ``KeyTemplateError`` for a template that does not parse or names an argument
    ///   not given (checked before `body` runs).
    public func invalidating<Result>(
        _ templates: String..., with arguments: [String: any Sendable] = [:],
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async throws -> Result {
        let escaped = arguments.mapValues { value -> any Sendable in Cache.escapingGlob("\(value)") }
        let patterns = try templates.map { try GlobPattern(KeyTemplate($0).render(escaped)) }
        let result = try await body()
        for pattern in patterns { try await delete(matching: pattern.description) }
        return result
    }

    /// Runs `body` with every read of this cache by the calling task (and the child tasks it
    /// starts) turned into a delete and a miss, so that the strategies inside recompute and
    /// store again: cashews' `invalidate_further()`. Scopes nest: the inner one ends without
    /// ending the outer one. Other tasks and other caches read as usual.
    ///
    /// ```swift
    /// // A request with "Clear-Site-Data: cache": every cached call inside recomputes.
    /// try await cache.invalidatingFurther { try await handle(request) }
    /// ```
    public func invalidatingFurther<Result>(
        isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> Result
    ) async rethrows -> Result {
        var scopes = ControlScope.current
        scopes[ObjectIdentifier(self), default: TaskControl()].invalidatesFurther = true
        control.enter()
        defer { control.leave() }
        return try await ControlScope.$current.withValue(scopes, operation: body)
    }

    /// True inside ``invalidatingFurther(isolation:_:)`` for the calling task.
    public var isInvalidatingFurther: Bool {
        ControlScope.current[ObjectIdentifier(self)]?.invalidatesFurther ?? false
    }
}

extension Cache {
    /// `text` with the glob metacharacters (`*`, `?`, `[`, `]` and the backslash) escaped, so that it
    /// matches only itself in a pattern.
    static func escapingGlob(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
