/// A cache key template such as `"user:{id}:{name:lower}"`, parsed once and rendered with the
/// values of each call.
///
/// ```swift
/// let template = try KeyTemplate("user:{id}:{name:lower}")
/// let key = try template.render(["id": 42, "name": "Ada"])    // "user:42:ada"
/// ```
///
/// A placeholder names a value, may read a field or an element of it, and may apply one
/// formatter:
///
/// - `{id}`: the value `id`, as text (see ``KeyText``);
/// - `{user.name}`, `{items[0]}`, `{items[-1]}`, `{headers[host]}`: a field (of a
///   ``KeyFieldAccessible`` type, or by reflection), an element of an array, tuple or string, a
///   dictionary's value;
/// - `{token:hash(sha256)}`, `{name:lower}`, `{name:upper}`, `{name:len}`, `{token:jwt(sub)}`, and
///   formatters registered in ``KeyFormatters``; an argument may itself be a placeholder, as in
///   `{token:hash({algorithm})}`;
/// - `{{` and `}}` are a literal `{` and `}`.
///
/// Values come from ``render(_:)``'s argument first, then from the ``KeyContext``. A malformed
/// template, an unknown formatter and bad formatter arguments are reported when the template is
/// parsed; a placeholder with no value or a field the value lacks when it is rendered, as a
/// ``KeyTemplateError`` with the column at fault. Unlike cashews, a placeholder without a value
/// is an error, not an empty string.
public struct KeyTemplate: Sendable, Hashable, CustomStringConvertible {
    /// The template as written.
    public let text: String
    /// The names of the values the template reads, each once, in order of first use: the names
    /// a function's parameters must provide (for checking a template where it is declared).
    public let placeholderNames: [String]
    /// The literal text around the placeholders: one more than there are placeholders.
    let literals: [String]
    let placeholders: [KeyPlaceholder]
    let formatters: KeyFormatters
    /// A guess of the rendered length, to reserve once.
    let capacity: Int

    /// Parses `text`, looking its formatters up in `formatters`.
    ///
    /// - Throws: ``KeyTemplateError`` for a malformed template, an unknown formatter or
    ///   arguments a formatter does not take, with the column at fault.
    public init(_ text: String, formatters: KeyFormatters = .standard) throws(KeyTemplateError) {
        var parser = KeyTemplateParser(text: text, formatters: formatters)
        let (literals, placeholders) = try parser.parse()
        self.text = text
        self.literals = literals
        self.placeholders = placeholders
        self.formatters = formatters
        placeholderNames = parser.names
        capacity = literals.reduce(0) { $0 + $1.utf8.count } + 16 * placeholders.count
    }

    /// Whether the template has no placeholder: it renders to the same text every time.
    public var isLiteral: Bool { placeholders.isEmpty }

    /// The template as written.
    public var description: String { text }

    /// Renders the template with `values`, by placeholder name; a name missing from `values` is
    /// looked up in the ``KeyContext``.
    ///
    /// ```swift
    /// try KeyTemplate("user:{id}:{name:lower}").render(["id": 42, "name": "Ada"])  // "user:42:ada"
    /// ```
    ///
    /// - Throws: ``KeyTemplateError/unknownPlaceholder(template:column:name:)`` for a placeholder
    ///   with no value, ``KeyTemplateError/invalidFieldAccess(template:column:path:reason:)`` for
    ///   a field or element the value does not have,
    ///   ``KeyTemplateError/invalidFormatterArguments(template:column:formatter:reason:)`` for
    ///   formatter arguments filled with values the formatter does not take, and
    ///   ``KeyTemplateError/formatterFailed(template:column:formatter:reason:)`` when a formatter
    ///   rejects its input (`jwt` on text that is not a JWT, a custom formatter that throws).
    @_disfavoredOverload
    public func render(_ values: [String: any Sendable] = [:]) throws(KeyTemplateError) -> String {
        try render(NamedKeyValues(values: values))
    }

    /// Renders the template with `values`, by placeholder name, as the dictionary form `render(_:)`
    /// does: the form a literal at the call site takes, which builds no dictionary (no hashing
    /// per call), so that rendering costs about what ``render(positional:)`` does.
    ///
    /// ```swift
    /// try KeyTemplate("user:{id}:{name:lower}").render(["id": 42, "name": "Ada"])  // "user:42:ada"
    /// ```
    ///
    /// A name given twice traps, as it does in a dictionary literal.
    ///
    /// - Throws: ``KeyTemplateError``, as the dictionary form `render(_:)` does.
    public func render(_ values: KeyValuePairs<String, any Sendable>) throws(KeyTemplateError) -> String {
        // Read in place: `KeyValuePairs` is a frozen wrapper of its array of pairs, and reading
        // it as a collection copies every pair (its name and its existential) it passes.
        let pairs = unsafeBitCast(values, to: [(key: String, value: any Sendable)].self)
        return try pairs.withUnsafeBufferPointer { (pairs) throws(KeyTemplateError) -> String in
            for index in pairs.indices {
                for other in 0..<index {
                    let name = PairedKeyValues.name(at: index, in: pairs)
                    precondition(PairedKeyValues.name(at: other, in: pairs) != name, "the name \(name) is given twice")
                }
            }
            return try render(PairedKeyValues(pairs: pairs))
        }
    }

    /// Renders the template with the values of ``placeholderNames``, in that order: the fastest
    /// form, for callers that bind names to positions once (a `nil` is a value, rendered as `""`;
    /// a name after the last value is looked up in the ``KeyContext``).
    ///
    /// ```swift
    /// let template = try KeyTemplate("user:{id}:{name:lower}")   // placeholderNames ["id", "name"]
    /// try template.render(positional: [42, "Ada"])                // "user:42:ada"
    /// ```
    ///
    /// - Throws: ``KeyTemplateError``, as ``render(_:)`` does, and
    ///   ``KeyTemplateError/tooManyValues(template:column:count:placeholders:)`` for more values
    ///   than ``placeholderNames``.
    public func render(positional values: [any Sendable]) throws(KeyTemplateError) -> String {
        guard values.count <= placeholderNames.count else {
            throw .tooManyValues(template: text, column: 1, count: values.count, placeholders: placeholderNames)
        }
        return try render(PositionalKeyValues(values: values))
    }

    /// Equal when parsed from the same text with the same formatter registry.
    public static func == (lhs: KeyTemplate, rhs: KeyTemplate) -> Bool {
        lhs.text == rhs.text && lhs.formatters === rhs.formatters
    }

    /// Hashes the text and the formatter registry.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(text)
        hasher.combine(ObjectIdentifier(formatters))
    }

    // MARK: Rendering

    private func render(_ values: some KeyValueSource) throws(KeyTemplateError) -> String {
        guard !placeholders.isEmpty else { return literals[0] }
        var out = ""
        out.reserveCapacity(capacity)
        out += literals[0]
        var context: [String: any Sendable]?
        for index in placeholders.indices {
            let placeholder = placeholders[index]
            let value = try self.value(of: placeholder, values, &context)
            if placeholder.isBare {
                KeyText.append(value, to: &out, strict: false)
            } else {
                try append(value, formattedBy: placeholder, values, &context, to: &out)
            }
            out += literals[index + 1]
        }
        return out
    }

    private func append(
        _ value: Any, formattedBy placeholder: KeyPlaceholder, _ values: some KeyValueSource,
        _ context: inout [String: any Sendable]?, to out: inout String
    ) throws(KeyTemplateError) {
        guard let formatter = placeholder.formatter else {
            KeyText.append(value, to: &out, strict: false)
            return
        }
        let prepared: PreparedKeyFormatter
        switch formatter.kind {
        case .ready(let ready):
            prepared = ready
        case .dynamic(let entry, let arguments):
            var texts: [String] = []
            for argument in arguments {
                switch argument {
                case .literal(let literal):
                    texts.append(literal)
                case .placeholder(let nested):
                    texts.append(KeyText.text(for: try self.value(of: nested, values, &context)))
                }
            }
            switch entry.prepared(texts) {
            case .success(let ready): prepared = ready
            case .failure(let failure):
                throw .invalidFormatterArguments(
                    template: text, column: formatter.column, formatter: formatter.name, reason: failure.reason)
            }
        }
        switch prepared.apply(KeyText.text(for: value)) {
        case .success(let formatted): out += formatted
        case .failure(let failure):
            throw .formatterFailed(
                template: text, column: formatter.column, formatter: formatter.name, reason: failure.reason)
        }
    }

    /// The value of `placeholder`: from `values`, else from the context, then through its fields.
    private func value(
        of placeholder: KeyPlaceholder, _ values: some KeyValueSource, _ context: inout [String: any Sendable]?
    ) throws(KeyTemplateError) -> Any {
        var value: Any
        if let given = values.value(of: placeholder) {
            value = given
        } else {
            if context == nil { context = KeyContext.current }
            guard let found = context?[placeholder.name] else {
                throw .unknownPlaceholder(template: text, column: placeholder.column, name: placeholder.name)
            }
            value = found
        }
        if placeholder.accessors.isEmpty { return value }
        for (index, accessor) in placeholder.accessors.enumerated() {
            switch accessor.read(from: value) {
            case .success(let field): value = field
            case .failure(let failure):
                let path = placeholder.name + placeholder.accessors[...index].map(\.text).joined()
                throw .invalidFieldAccess(template: text, column: accessor.column, path: path, reason: failure.reason)
            }
        }
        return value
    }

    /// Whether `character` may appear in a placeholder, field or formatter name.
    static func isNameCharacter(_ character: Character) -> Bool {
        character == "_" || character.isLetter || character.isNumber
    }
}

/// One placeholder of a parsed template (a class: rendering reads it without copying its fields).
final class KeyPlaceholder: Sendable {
    /// The name of the value.
    let name: String
    /// The position of the name in the template's `placeholderNames`.
    let nameIndex: Int
    /// The column of its `{`.
    let column: Int
    /// The fields and elements read from the value, in order.
    let accessors: [KeyFieldAccessor]
    /// The formatter applied to the value's text.
    let formatter: KeyPlaceholderFormatter?
    /// Whether it is a bare `{name}`: no fields, no formatter.
    let isBare: Bool

    init(
        name: String, nameIndex: Int, column: Int, accessors: [KeyFieldAccessor], formatter: KeyPlaceholderFormatter?
    ) {
        self.name = name
        self.nameIndex = nameIndex
        self.column = column
        self.accessors = accessors
        self.formatter = formatter
        isBare = accessors.isEmpty && formatter == nil
    }
}

/// Where rendering finds the value of a placeholder.
protocol KeyValueSource {
    func value(of placeholder: KeyPlaceholder) -> (any Sendable)?
}

/// Values by name.
struct NamedKeyValues: KeyValueSource {
    let values: [String: any Sendable]

    @inline(__always)
    func value(of placeholder: KeyPlaceholder) -> (any Sendable)? {
        // A few values are scanned, which is faster than hashing the name.
        guard values.count <= 8 else { return values[placeholder.name] }
        var index = values.startIndex
        while index != values.endIndex {
            if values.keys[index] == placeholder.name { return values.values[index] }
            values.formIndex(after: &index)
        }
        return nil
    }
}

/// Values by name, as written at the call site (a few, scanned in order).
struct PairedKeyValues: KeyValueSource {
    let pairs: UnsafeBufferPointer<(key: String, value: any Sendable)>

    @inline(__always)
    func value(of placeholder: KeyPlaceholder) -> (any Sendable)? {
        for index in pairs.indices where Self.name(at: index, in: pairs) == placeholder.name {
            return pairs[index].value
        }
        return nil
    }

    /// The name of pair `index`, read alone (a pair's name comes first in its layout): reading
    /// `pairs[index].key` would copy the pair, its value's existential too.
    @inline(__always)
    static func name(at index: Int, in pairs: UnsafeBufferPointer<(key: String, value: any Sendable)>) -> String {
        UnsafeRawPointer(pairs.baseAddress! + index).load(as: String.self)
    }
}

/// Values by the position of their name in the template's `placeholderNames`.
struct PositionalKeyValues: KeyValueSource {
    let values: [any Sendable]

    @inline(__always)
    func value(of placeholder: KeyPlaceholder) -> (any Sendable)? {
        placeholder.nameIndex < values.count ? values[placeholder.nameIndex] : nil
    }
}

/// The formatter of a placeholder (a class: rendering reads it without copying its fields).
final class KeyPlaceholderFormatter: Sendable {
    enum Kind: Sendable {
        /// Arguments known when parsed, and checked.
        case ready(PreparedKeyFormatter)
        /// Arguments filled when rendered, and checked then.
        case dynamic(KeyFormatterEntry, [KeyFormatterArgument])
    }

    let name: String
    /// The column of its name.
    let column: Int
    let kind: Kind

    init(name: String, column: Int, kind: Kind) {
        self.name = name
        self.column = column
        self.kind = kind
    }
}

/// An argument of a formatter: text, or a placeholder (`{name}`, `{name.field}`) filled when
/// rendered.
enum KeyFormatterArgument: Sendable {
    case literal(String)
    case placeholder(KeyPlaceholder)
}
