import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

// Key and tag templates: checked against the function's parameters, and turned into the Swift
// expression of the key.
extension Decoration {
    /// The Swift expression of a key template, checked against the parameters; nil when it is
    /// wrong (reported).
    mutating func keyExpression(for literal: StringLiteralExprSyntax) -> String? {
        let text = literal.representedLiteralValue ?? ""
        let template: KeyTemplateSyntax
        do {
            template = try KeyTemplateSyntaxParser.parse(text)
        } catch {
            fail(
                Diagnostic(
                    node: literal, position: Self.position(in: literal, column: error.column),
                    message: MacroDiagnostic.template(error.message),
                    fixIts: templateFixIts(for: error, in: literal, text: text)))
            return nil
        }
        var valid = true
        for placeholder in template.allPlaceholders {
            guard let parameter = parameters.first(where: { $0.name == placeholder.name }) else {
                valid = false
                let suggestion = closestParameter(to: placeholder.name)
                var fixIts: [FixIt] = []
                if let suggestion {
                    var characters = Array(text)
                    characters.replaceSubrange(
                        placeholder.column..<(placeholder.column + placeholder.name.count), with: suggestion)
                    fixIts.append(
                        FixIt(
                            message: MacroFixIt.renamePlaceholder(placeholder.name, suggestion),
                            changes: [Self.replacing(literal, with: String(characters))]))
                }
                fail(
                    Diagnostic(
                        node: literal, position: Self.position(in: literal, column: placeholder.column),
                        message: MacroDiagnostic.unknownPlaceholder(
                            placeholder.name, function: functionName, parameters: parameters.map(\.name)),
                        fixIts: fixIts))
                continue
            }
            if let accessor = placeholder.accessors.first, let problem = parameter.problem(with: accessor) {
                valid = false
                fail(
                    Diagnostic(
                        node: literal, position: Self.position(in: literal, column: accessor.column),
                        message: MacroDiagnostic.fieldAccess(problem)))
            }
        }
        guard valid else { return nil }
        if template.isBare {
            var out = "\""
            for (index, literalText) in template.literals.enumerated() {
                out += Self.escaped(literalText)
                guard index < template.placeholders.count else { break }
                let name = template.placeholders[index].name
                let parameter = parameters.first { $0.name == name }
                out += parameter?.isPlainText == true ? "\\(\(name))" : "\\(KeyText.text(for: \(name)))"
            }
            return out + "\""
        }
        let values = template.names.map { "\"\($0)\": \($0)" }.joined(separator: ", ")
        return "try KeyTemplate.parsedOnce(\(literal.trimmedDescription)).render([\(values)])"
    }

    var functionName: String {
        let labels = parameters.map { "\($0.label):" }.joined()
        return "\(function.name.text)(\(labels))"
    }

    func closestParameter(to name: String) -> String? {
        let candidates = parameters.map(\.name).filter { $0 != "_" }
        let scored = candidates.map { ($0, Self.distance($0.lowercased(), name.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, name.count / 3) else { return nil }
        return best.0
    }

    /// The edit distance of two names.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var row = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = row
        }
        return a.isEmpty ? b.count : previous[b.count]
    }

    func templateFixIts(for error: KeyTemplateSyntaxError, in literal: StringLiteralExprSyntax, text: String)
        -> [FixIt]
    {
        var characters = Array(text)
        switch error.kind {
        case .strayClosingBrace:
            characters.insert("}", at: error.column - 1)
            return [
                FixIt(
                    message: MacroFixIt.doubleBrace("}"), changes: [Self.replacing(literal, with: String(characters))])
            ]
        case .unclosedBrace:
            let closed = FixIt(
                message: MacroFixIt.closePlaceholder, changes: [Self.replacing(literal, with: text + "}")])
            characters.insert("{", at: error.column - 1)
            let literalBrace = FixIt(
                message: MacroFixIt.doubleBrace("{"), changes: [Self.replacing(literal, with: String(characters))])
            return [closed, literalBrace]
        default:
            return []
        }
    }

    static func replacing(_ literal: StringLiteralExprSyntax, with text: String) -> FixIt.Change {
        var fixed = literal
        fixed.segments = [.stringSegment(StringSegmentSyntax(content: .stringSegment(escaped(text))))]
        return .replace(oldNode: Syntax(literal), newNode: Syntax(fixed))
    }

    /// The position of a template's 1-based column inside its string literal (the literal's start
    /// when the source text has escapes, whose columns differ from the value's).
    static func position(in literal: StringLiteralExprSyntax, column: Int) -> AbsolutePosition {
        guard literal.segments.count == 1, let segment = literal.segments.first?.as(StringSegmentSyntax.self),
            !segment.content.text.contains("\\")
        else { return literal.positionAfterSkippingLeadingTrivia }
        let prefix = segment.content.text.prefix(max(0, column - 1))
        return segment.positionAfterSkippingLeadingTrivia.advanced(by: prefix.utf8.count)
    }

    /// `text` as the inside of a Swift string literal.
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.append(character)
            }
        }
        return out
    }
}
