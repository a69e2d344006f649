/// Parses key template text into literals and placeholders, reporting the first error with its
/// 1-based column (in characters).
///
/// ```
/// template    := (literal | "{{" | "}}" | placeholder)*
/// placeholder := "{" name accessor* (":" name ("(" arguments? ")")?)? "}"
/// accessor    := "." name | "[" index "]"
/// arguments   := argument ("," argument)*
/// argument    := text without ",(){}" | "{" name accessor* "}"
/// name        := (letter | digit | "_")+
/// ```
struct KeyTemplateParser {
    let text: String
    let formatters: KeyFormatters
    private let characters: [Character]
    private var position = 0
    /// The names of the placeholders, each once, in order of first use.
    private(set) var names: [String] = []
    private var nameIndices: [String: Int] = [:]

    init(text: String, formatters: KeyFormatters) {
        self.text = text
        self.formatters = formatters
        characters = Array(text)
    }

    mutating func parse() throws(KeyTemplateError) -> (literals: [String], placeholders: [KeyPlaceholder]) {
        var literals: [String] = []
        var placeholders: [KeyPlaceholder] = []
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
                guard peek(1) == "}" else { throw .strayClosingBrace(template: text, column: position + 1) }
                literal.append("}")
                position += 2
            } else {
                literal.append(character)
                position += 1
            }
        }
        literals.append(literal)
        return (literals, placeholders)
    }

    private var current: Character? { position < characters.count ? characters[position] : nil }

    private func peek(_ offset: Int) -> Character? {
        position + offset < characters.count ? characters[position + offset] : nil
    }

    private mutating func readName() -> String {
        var name = ""
        while let character = current, KeyTemplate.isNameCharacter(character) {
            name.append(character)
            position += 1
        }
        return name
    }

    private func malformed(_ reason: String) -> KeyTemplateError {
        .malformedPlaceholder(template: text, column: position + 1, reason: reason)
    }

    /// The character at the current position, or the error of a placeholder left open at `open`.
    private func next(open: Int) throws(KeyTemplateError) -> Character {
        guard let character = current else { throw .unclosedBrace(template: text, column: open) }
        return character
    }

    /// Parses the placeholder whose `{` is at the current position.
    private mutating func placeholder(inArguments: Bool) throws(KeyTemplateError) -> KeyPlaceholder {
        let open = position + 1
        position += 1
        let name = readName()
        if name.isEmpty {
            let character = try next(open: open)
            if character == "}" || character == ":" { throw .emptyPlaceholder(template: text, column: open) }
            throw malformed("unexpected \"\(character)\": a placeholder starts with a name of letters, digits and _")
        }
        let nameIndex = nameIndices[name] ?? names.count
        if nameIndex == names.count {
            nameIndices[name] = nameIndex
            names.append(name)
        }
        var accessors: [KeyFieldAccessor] = []
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
        var formatter: (name: String, column: Int, arguments: [KeyFormatterArgument])?
        if !inArguments, current == ":" {
            position += 1
            let column = position + 1
            let formatterName = readName()
            if formatterName.isEmpty {
                throw malformed("expected a formatter name after \":\", not \"\(try next(open: open))\"")
            }
            var arguments: [KeyFormatterArgument] = []
            if current == "(" {
                position += 1
                arguments = try self.arguments(of: formatterName, open: open)
            }
            formatter = (formatterName, column, arguments)
        }
        let close = try next(open: open)
        guard close == "}" else {
            let expected = inArguments ? "a formatter argument takes no formatter" : "a formatter comes last"
            throw malformed(
                "unexpected \"\(close)\": close the placeholder opened at column \(open) with \"}\" (\(expected))")
        }
        position += 1
        var resolved: KeyPlaceholderFormatter?
        if let formatter {
            resolved = try resolve(formatter.name, column: formatter.column, arguments: formatter.arguments)
        }
        return KeyPlaceholder(
            name: name, nameIndex: nameIndex, column: open, accessors: accessors, formatter: resolved)
    }

    /// Parses formatter arguments up to and including the `)`.
    private mutating func arguments(of formatter: String, open: Int) throws(KeyTemplateError)
        -> [KeyFormatterArgument]
    {
        var arguments: [KeyFormatterArgument] = []
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

    /// Looks the formatter up and, when its arguments are all literal, checks them.
    private func resolve(_ name: String, column: Int, arguments: [KeyFormatterArgument]) throws(KeyTemplateError)
        -> KeyPlaceholderFormatter
    {
        guard let entry = formatters.lookup(name) else {
            throw .unknownFormatter(template: text, column: column, name: name, known: formatters.names)
        }
        var literals: [String] = []
        for case .literal(let literal) in arguments { literals.append(literal) }
        guard literals.count == arguments.count else {
            return KeyPlaceholderFormatter(name: name, column: column, kind: .dynamic(entry, arguments))
        }
        switch entry.prepared(literals) {
        case .success(let prepared):
            return KeyPlaceholderFormatter(name: name, column: column, kind: .ready(prepared))
        case .failure(let failure):
            throw .invalidFormatterArguments(template: text, column: column, formatter: name, reason: failure.reason)
        }
    }
}
