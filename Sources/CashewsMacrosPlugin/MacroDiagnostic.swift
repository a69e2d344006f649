import SwiftDiagnostics

/// The errors the decorator macros report.
enum MacroDiagnostic: DiagnosticMessage {
    case notAFunction(String)
    case noBody(String)
    case notAsync(String)
    case notThrowing(String)
    case noResult(String)
    case typedThrows(String)
    case inoutParameter(String, String)
    case nothingToInvalidate
    case tagsNotLiteral
    case templateNotLiteral(String)
    case interpolatedTemplate(String)
    case template(String)
    case unknownPlaceholder(String, function: String, parameters: [String])
    case fieldAccess(String)

    var message: String {
        switch self {
        case .notAFunction(let macro):
            return "@\(macro) decorates a function"
        case .noBody(let macro):
            return "@\(macro) needs a function with a body"
        case .notAsync(let macro):
            return "@\(macro) requires an async function: the cache is reached with await"
        case .notThrowing(let macro):
            return "@\(macro) requires a throwing function: the strategy throws errors of its own"
        case .noResult(let macro):
            return "@\(macro) stores the function's result: give the function a Codable result"
        case .typedThrows(let macro):
            return "@\(macro) cannot keep a typed throws: the cache throws its own errors (CashewsError, a"
                + " backend's) besides the body's"
        case .inoutParameter(let macro, let name):
            return "@\(macro) cannot capture the inout parameter \"\(name)\" in the strategy's closure"
        case .nothingToInvalidate:
            return "@Invalidate needs a key template (key:) or tags (tags:) to delete"
        case .tagsNotLiteral:
            return "tags must be an array literal of key templates, such as [\"user:{id}\"]"
        case .templateNotLiteral(let role):
            return "the \(role) must be a string literal template, such as \"user:{id}\""
        case .interpolatedTemplate(let role):
            return "the \(role) is a template, not an interpolation: write {name} for a parameter, not \\(name)"
        case .template(let message):
            return message
        case .unknownPlaceholder(let name, let function, let parameters):
            let known = parameters.filter { $0 != "_" }
            let list =
                known.isEmpty ? "it has no named parameter" : "its parameters are \(known.joined(separator: ", "))"
            return "no parameter \"\(name)\" in \(function): \(list)"
        case .fieldAccess(let message):
            return message
        }
    }

    var diagnosticID: MessageID {
        let id: String
        switch self {
        case .notAFunction: id = "notAFunction"
        case .noBody: id = "noBody"
        case .notAsync: id = "notAsync"
        case .notThrowing: id = "notThrowing"
        case .noResult: id = "noResult"
        case .typedThrows: id = "typedThrows"
        case .inoutParameter: id = "inoutParameter"
        case .nothingToInvalidate: id = "nothingToInvalidate"
        case .tagsNotLiteral: id = "tagsNotLiteral"
        case .templateNotLiteral: id = "templateNotLiteral"
        case .interpolatedTemplate: id = "interpolatedTemplate"
        case .template: id = "template"
        case .unknownPlaceholder: id = "unknownPlaceholder"
        case .fieldAccess: id = "fieldAccess"
        }
        return MessageID(domain: "CashewsMacros", id: id)
    }

    var severity: DiagnosticSeverity { .error }
}

/// The fix-its the decorator macros offer.
enum MacroFixIt: FixItMessage {
    case addAsync
    case addAsyncThrows
    case addThrows
    case untypedThrows
    case usePlaceholders
    case renamePlaceholder(String, String)
    case doubleBrace(String)
    case closePlaceholder

    var message: String {
        switch self {
        case .addAsync: return "add 'async'"
        case .addAsyncThrows: return "add 'async throws'"
        case .addThrows: return "add 'throws'"
        case .untypedThrows: return "throw any error"
        case .usePlaceholders: return "write the interpolations as placeholders"
        case .renamePlaceholder(let old, let new): return "use the parameter \"\(new)\" instead of \"\(old)\""
        case .doubleBrace(let brace): return "write \"\(brace)\(brace)\" for a literal \"\(brace)\""
        case .closePlaceholder: return "close the placeholder with \"}\""
        }
    }

    var fixItID: MessageID {
        let id: String
        switch self {
        case .addAsync: id = "addAsync"
        case .addAsyncThrows: id = "addAsyncThrows"
        case .addThrows: id = "addThrows"
        case .untypedThrows: id = "untypedThrows"
        case .usePlaceholders: id = "usePlaceholders"
        case .renamePlaceholder: id = "renamePlaceholder"
        case .doubleBrace: id = "doubleBrace"
        case .closePlaceholder: id = "closePlaceholder"
        }
        return MessageID(domain: "CashewsMacros", id: id)
    }
}
