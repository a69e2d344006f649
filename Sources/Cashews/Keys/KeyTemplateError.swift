/// An error of a ``KeyTemplate``: a malformed template (thrown when it is parsed) or a value that
/// cannot fill it (thrown when it is rendered).
///
/// Every case carries the template as written and the 1-based column (in characters) of the
/// character at fault, and its description says what to write instead:
///
/// ```
/// unclosed "{" at column 6 of "user:{id": end the placeholder with "}", or write "{{" for a literal "{"
/// ```
public enum KeyTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A `{` that opens a placeholder which never closes.
    case unclosedBrace(template: String, column: Int)
    /// A `}` outside any placeholder (a literal `}` is written `}}`).
    case strayClosingBrace(template: String, column: Int)
    /// A placeholder with no name: `{}` or `{:lower}`.
    case emptyPlaceholder(template: String, column: Int)
    /// A placeholder that is not of the form `{name.field[index]:formatter(arguments)}`.
    case malformedPlaceholder(template: String, column: Int, reason: String)
    /// A formatter that is neither built in nor registered in the template's ``KeyFormatters``.
    case unknownFormatter(template: String, column: Int, name: String, known: [String])
    /// Arguments a formatter does not take, such as `hash(sha512x)` or `lower(x)`.
    case invalidFormatterArguments(template: String, column: Int, formatter: String, reason: String)
    /// A placeholder that neither the rendered values nor the ``KeyContext`` fill.
    case unknownPlaceholder(template: String, column: Int, name: String)
    /// A field or index that the value does not have: `{user.nmae}`, `{items[9]}` of three items.
    case invalidFieldAccess(template: String, column: Int, path: String, reason: String)
    /// A formatter that failed on its input, such as `jwt(sub)` on text that is not a JWT.
    case formatterFailed(template: String, column: Int, formatter: String, reason: String)
    /// More positional values than the template has placeholders (column 1: the whole template).
    case tooManyValues(template: String, column: Int, count: Int, placeholders: [String])

    /// The template as written.
    public var template: String {
        switch self {
        case .unclosedBrace(let template, _), .strayClosingBrace(let template, _),
            .emptyPlaceholder(let template, _), .malformedPlaceholder(let template, _, _),
            .unknownFormatter(let template, _, _, _), .invalidFormatterArguments(let template, _, _, _),
            .unknownPlaceholder(let template, _, _), .invalidFieldAccess(let template, _, _, _),
            .formatterFailed(let template, _, _, _), .tooManyValues(let template, _, _, _):
            return template
        }
    }

    /// The 1-based column, in characters, of the character at fault.
    public var column: Int {
        switch self {
        case .unclosedBrace(_, let column), .strayClosingBrace(_, let column), .emptyPlaceholder(_, let column),
            .malformedPlaceholder(_, let column, _), .unknownFormatter(_, let column, _, _),
            .invalidFormatterArguments(_, let column, _, _), .unknownPlaceholder(_, let column, _),
            .invalidFieldAccess(_, let column, _, _), .formatterFailed(_, let column, _, _),
            .tooManyValues(_, let column, _, _):
            return column
        }
    }

    /// What went wrong, where, and what to do.
    public var description: String {
        let at = "at column \(column) of \"\(template)\""
        switch self {
        case .unclosedBrace:
            return "unclosed \"{\" \(at): end the placeholder with \"}\", or write \"{{\" for a literal \"{\""
        case .strayClosingBrace:
            return "stray \"}\" \(at): write \"}}\" for a literal \"}\", or open a placeholder with \"{\" before it"
        case .emptyPlaceholder:
            return "empty placeholder \(at): name the value to put there, e.g. \"{id}\" (write \"{{}}\" for literal"
                + " braces)"
        case .malformedPlaceholder(_, _, let reason):
            return "malformed placeholder \(at): \(reason); write placeholders as {name}, {name.field}, {name[0]},"
                + " {name:formatter} or {name:formatter(argument, ...)}"
        case .unknownFormatter(_, _, let name, let known):
            return "unknown formatter \"\(name)\" \(at): use one of \(known.sorted().joined(separator: ", "))"
                + " (or register yours with KeyFormatters.register(_:_:) before parsing the template)"
        case .invalidFormatterArguments(_, _, let formatter, let reason):
            return "invalid arguments for formatter \"\(formatter)\" \(at): \(reason)"
        case .unknownPlaceholder(_, _, let name):
            return "no value for placeholder \"\(name)\" \(at): pass it to render(_:) as \"\(name)\","
                + " or set it with KeyContext.withValues(_:operation:)"
        case .invalidFieldAccess(_, _, let path, let reason):
            return "cannot read \"\(path)\" \(at): \(reason)"
        case .formatterFailed(_, _, let formatter, let reason):
            return "formatter \"\(formatter)\" failed \(at): \(reason)"
        case .tooManyValues(_, _, let count, let placeholders):
            return "\(count) values for the \(placeholders.count) placeholders \(placeholders) \(at): pass at most one"
                + " value per placeholder, in order"
        }
    }
}
