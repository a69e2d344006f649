/// A key template as the macros see it at compile time: its literal text and placeholders, with
/// the 1-based column (in characters) of each part.
///
/// The plugin cannot import Cashews (the compiler plugin is built for the host with swift-syntax
/// alone), so ``KeyTemplateSyntaxParser`` repeats the grammar of Cashews' `KeyTemplateParser`:
///
/// ```
/// template    := (literal | "{{" | "}}" | placeholder)*
/// placeholder := "{" name accessor* (":" name ("(" arguments? ")")?)? "}"
/// accessor    := "." name | "[" index "]"
/// arguments   := argument ("," argument)*
/// argument    := text without ",(){}" | "{" name accessor* "}"
/// name        := (letter | digit | "_")+
/// ```
///
/// The tests parse one table of templates with both and check that they agree.
struct KeyTemplateSyntax: Equatable {
    /// The literal text around the placeholders (one more than there are placeholders).
    var literals: [String]
    var placeholders: [KeyPlaceholderSyntax]
    /// The names of the values the template reads, each once, in order of first use (arguments of
    /// formatters included).
    var names: [String]

    /// Whether every placeholder is a bare `{name}`.
    var isBare: Bool { placeholders.allSatisfy(\.isBare) }

    /// Every placeholder, those inside formatter arguments included.
    var allPlaceholders: [KeyPlaceholderSyntax] {
        placeholders.flatMap { placeholder in
            [placeholder] + (placeholder.formatter?.arguments ?? []).compactMap(\.placeholder)
        }
    }
}

/// One placeholder: `{name.field[index]:formatter(arguments)}`.
struct KeyPlaceholderSyntax: Equatable {
    var name: String
    /// The column of its `{`.
    var column: Int
    var accessors: [Accessor]
    var formatter: Formatter?

    /// A field (`.name`) or an element (`[index]`), with the column of its `.` or `[`.
    enum Accessor: Equatable {
        case member(String, column: Int)
        case index(String, column: Int)

        var column: Int {
            switch self {
            case .member(_, let column), .index(_, let column): return column
            }
        }
    }

    /// A formatter, with the column of its name.
    struct Formatter: Equatable {
        var name: String
        var column: Int
        var arguments: [Argument]
    }

    /// A formatter argument: text, or a placeholder.
    enum Argument: Equatable {
        case literal(String)
        case placeholder(KeyPlaceholderSyntax)

        var placeholder: KeyPlaceholderSyntax? {
            if case .placeholder(let placeholder) = self { return placeholder }
            return nil
        }
    }

    var isBare: Bool { accessors.isEmpty && formatter == nil }
}

/// Why a template does not parse, with the 1-based column at fault; the cases and columns are
/// those of Cashews' `KeyTemplateError`.
struct KeyTemplateSyntaxError: Error, Equatable {
    enum Kind: String, Equatable {
        case unclosedBrace, strayClosingBrace, emptyPlaceholder, malformedPlaceholder, unknownFormatter
        case invalidFormatterArguments
    }

    var kind: Kind
    var column: Int
    var message: String
}

/// The formatters every registry has, and the arguments they take (as Cashews'
/// `BuiltinKeyFormatter` checks them).
enum BuiltinFormatter: String, CaseIterable {
    case hash, lower, upper, len, jwt

    /// Why `arguments` are wrong for this formatter, or nil.
    func problem(with arguments: [String]) -> String? {
        switch self {
        case .lower, .upper, .len:
            return arguments.isEmpty ? nil : "\(rawValue) takes no arguments: write {name:\(rawValue)}"
        case .hash:
            guard arguments.count <= 1 else { return "hash takes one algorithm: md5, sha1 or sha256" }
            let name = arguments.first ?? "md5"
            return ["md5", "sha1", "sha256"].contains(name.lowercased())
                ? nil : "unknown algorithm \"\(name)\": use md5, sha1 or sha256"
        case .jwt:
            return arguments.count == 1 && !arguments[0].isEmpty
                ? nil : "jwt takes the name of one claim, e.g. jwt(sub)"
        }
    }
}

/// Parses a template's text, as Cashews' `KeyTemplateParser` does (built-in formatters only).
struct KeyTemplateSyntaxParser {
    let text: String
    private let characters: [Character]
    private var position = 0
    private var names: [String] = []

    init(_ text: String) {
        self.text = text
        characters = Array(text)
    }

    /// The parsed template, or the first error.
    static func parse(_ text: String) throws(KeyTemplateSyntaxError) -> KeyTemplateSyntax {
        var parser = KeyTemplateSyntaxParser(text)
        return try parser.parse()
    }

    mutating func parse() throws(KeyTemplateSyntaxError) -> KeyTemplateSyntax {
        var literals: [String] = []
        var placeholders: [KeyPlaceholderSyntax] = []
        var literal = ""
        while let character = current {
            if character == "{" {
                if peek(1) == "{" {
                    literal.append("{")
                    position += 2
                    continue
                }
                placeholders.append(try placeholder(inArguments: false))
                literals.append(literal)
                literal = ""
            } else if character == "}" {
                guard peek(1) == "}" else {
                    throw error(
                        .strayClosingBrace, column: position + 1,
                        "stray \"}\": write \"}}\" for a literal \"}\", or open a placeholder with \"{\" before it")
                }
                literal.append("}")
                position += 2
            } else {
                literal.append(character)
                position += 1
            }
        }
        literals.append(literal)
        return KeyTemplateSyntax(literals: literals, placeholders: placeholders, names: names)
    }

    private var current: Character? { position < characters.count ? characters[position] : nil }

    private func peek(_ offset: Int) -> Character? {
        position + offset < characters.count ? characters[position + offset] : nil
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character == "_" || character.isLetter || character.isNumber
    }

    private mutating func readName() -> String {
        var name = ""
        while let character = current, Self.isNameCharacter(character) {
            name.append(character)
            position += 1
        }
        return name
    }

    private func error(_ kind: KeyTemplateSyntaxError.Kind, column: Int, _ message: String) -> KeyTemplateSyntaxError {
        KeyTemplateSyntaxError(kind: kind, column: column, message: message)
    }

    private func malformed(_ reason: String) -> KeyTemplateSyntaxError {
        error(
            .malformedPlaceholder, column: position + 1,
            "malformed placeholder: \(reason); write placeholders as {name}, {name.field}, {name[0]},"
                + " {name:formatter} or {name:formatter(argument, ...)}")
    }

    private func next(open: Int) throws(KeyTemplateSyntaxError) -> Character {
        guard let character = current else {
            throw error(
                .unclosedBrace, column: open,
                "unclosed \"{\": end the placeholder with \"}\", or write \"{{\" for a literal \"{\"")
        }
        return character
    }

    private mutating func placeholder(inArguments: Bool) throws(KeyTemplateSyntaxError) -> KeyPlaceholderSyntax {
        let open = position + 1
        position += 1
        let name = readName()
        if name.isEmpty {
            let character = try next(open: open)
            if character == "}" || character == ":" {
                throw error(
                    .emptyPlaceholder, column: open,
                    "empty placeholder: name the parameter to put there, e.g. \"{id}\" (write \"{{}}\" for literal"
                        + " braces)")
            }
            throw malformed("unexpected \"\(character)\": a placeholder starts with a name of letters, digits and _")
        }
        if !names.contains(name) { names.append(name) }
        var accessors: [KeyPlaceholderSyntax.Accessor] = []
        while true {
            let character = try next(open: open)
            if character == "." {
                let column = position + 1
                position += 1
                let field = readName()
                if field.isEmpty {
                    throw malformed("expected a field name after \".\", not \"\(try next(open: open))\"")
                }
                accessors.append(.member(field, column: column))
            } else if character == "[" {
                let column = position + 1
                position += 1
                var index = ""
                while let character = current, !"[]{}".contains(character) {
                    index.append(character)
                    position += 1
                }
                let end = try next(open: open)
                guard end == "]" else {
                    throw malformed("unexpected \"\(end)\": close the index opened at column \(column) with \"]\"")
                }
                guard !index.isEmpty else {
                    throw malformed("empty index: write an integer (\"[0]\", \"[-1]\") or a key (\"[host]\")")
                }
                position += 1
                accessors.append(.index(index, column: column))
            } else {
                break
            }
        }
        var formatter: KeyPlaceholderSyntax.Formatter?
        if !inArguments, current == ":" {
            position += 1
            let column = position + 1
            let formatterName = readName()
            if formatterName.isEmpty {
                throw malformed("expected a formatter name after \":\", not \"\(try next(open: open))\"")
            }
            var arguments: [KeyPlaceholderSyntax.Argument] = []
            if current == "(" {
                position += 1
                arguments = try self.arguments(of: formatterName, open: open)
            }
            formatter = .init(name: formatterName, column: column, arguments: arguments)
        }
        let close = try next(open: open)
        guard close == "}" else {
            let expected = inArguments ? "a formatter argument takes no formatter" : "a formatter comes last"
            throw malformed(
                "unexpected \"\(close)\": close the placeholder opened at column \(open) with \"}\" (\(expected))")
        }
        position += 1
        if let formatter { try check(formatter) }
        return KeyPlaceholderSyntax(name: name, column: open, accessors: accessors, formatter: formatter)
    }

    private mutating func arguments(of formatter: String, open: Int) throws(KeyTemplateSyntaxError)
        -> [KeyPlaceholderSyntax.Argument]
    {
        var arguments: [KeyPlaceholderSyntax.Argument] = []
        skipSpaces()
        if try next(open: open) == ")" {
            position += 1
            return arguments
        }
        while true {
            skipSpaces()
            if try next(open: open) == "{" {
                arguments.append(.placeholder(try placeholder(inArguments: true)))
                skipSpaces()
            } else {
                var literal = ""
                while let character = current, !",(){}".contains(character) {
                    literal.append(character)
                    position += 1
                }
                while literal.last == " " { literal.removeLast() }
                arguments.append(.literal(literal))
            }
            let character = try next(open: open)
            position += 1
            if character == ")" { return arguments }
            guard character == "," else {
                position -= 1
                throw malformed(
                    "unexpected \"\(character)\" in the arguments of \(formatter): separate them with \",\""
                        + " and end them with \")\"")
            }
        }
    }

    private mutating func skipSpaces() {
        while current == " " { position += 1 }
    }

    /// Checks a formatter's name and, when they are all literal, its arguments.
    private func check(_ formatter: KeyPlaceholderSyntax.Formatter) throws(KeyTemplateSyntaxError) {
        guard let builtin = BuiltinFormatter(rawValue: formatter.name) else {
            let known = BuiltinFormatter.allCases.map(\.rawValue).sorted().joined(separator: ", ")
            throw error(
                .unknownFormatter, column: formatter.column,
                "unknown formatter \"\(formatter.name)\": use one of \(known) (a formatter registered at run time"
                    + " needs a KeyTemplate and the strategy's template form)")
        }
        var literals: [String] = []
        for case .literal(let literal) in formatter.arguments { literals.append(literal) }
        guard literals.count == formatter.arguments.count else { return }
        if let problem = builtin.problem(with: literals) {
            throw error(
                .invalidFormatterArguments, column: formatter.column,
                "invalid arguments for formatter \"\(formatter.name)\": \(problem)")
        }
    }
}
