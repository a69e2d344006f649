extension KeyTemplate {
    /// The names of the bare placeholders (`{id}`: no field, no formatter), whose values can be
    /// read back from a rendered key by ``values(in:)``.
    public var barePlaceholderNames: [String] {
        var names: [String] = []
        for placeholder in placeholders where placeholder.isBare && !names.contains(placeholder.name) {
            names.append(placeholder.name)
        }
        return names
    }

    /// The values of the bare placeholders of `key` when it has this template's form, as text;
    /// nil when it does not. Each placeholder takes the shortest non-empty text up to the next
    /// literal (the last one, the rest of the key); two placeholders with no literal between
    /// them cannot be told apart and never match.
    ///
    /// ```swift
    /// try KeyTemplate("user:{id}:{part}").values(in: "user:7:orders")   // ["id": "7", "part": "orders"]
    /// ```
    public func values(in key: String) -> [String: String]? {
        guard key.hasPrefix(literals[0]) else { return nil }
        var rest = key.dropFirst(literals[0].count)
        var values: [String: String] = [:]
        for (index, placeholder) in placeholders.enumerated() {
            let literal = literals[index + 1]
            let isLast = index == placeholders.count - 1
            let text: Substring
            if isLast {
                guard rest.hasSuffix(literal), rest.count > literal.count else { return nil }
                text = rest.dropLast(literal.count)
                rest = rest.suffix(0)
            } else {
                guard !literal.isEmpty, let range = rest.dropFirst().firstRange(of: literal) else { return nil }
                text = rest[rest.startIndex..<range.lowerBound]
                rest = rest[range.upperBound...]
            }
            guard placeholder.isBare else { continue }
            if let seen = values[placeholder.name], seen != String(text) { return nil }
            values[placeholder.name] = String(text)
        }
        return placeholders.isEmpty && !rest.isEmpty ? nil : values
    }
}
