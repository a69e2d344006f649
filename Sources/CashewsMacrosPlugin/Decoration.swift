import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// One decorated function: its attribute read and checked, and the body it expands to.
///
/// Every problem is reported as a diagnostic on the attribute, the key's string literal (at the
/// template's column) or the signature; the expansion is then the original body, so that the
/// decorator's diagnostics are the only ones.
struct Decoration<Context: MacroExpansionContext> {
    let strategy: Strategy
    let attribute: AttributeSyntax
    let function: FunctionDeclSyntax
    let body: CodeBlockSyntax
    let context: Context
    let parameters: [FunctionParameter]
    let isThrowing: Bool
    let returnType: TypeSyntax?
    /// The arguments passed on, by label.
    private var passed: [String: ExprSyntax] = [:]
    private var keyLiteral: StringLiteralExprSyntax?
    private var tagLiterals: [StringLiteralExprSyntax] = []
    private var cacheExpression: ExprSyntax?
    private var failed = false

    init?(
        strategy: Strategy, attribute: AttributeSyntax, declaration: some DeclSyntaxProtocol,
        context: Context
    ) {
        guard let function = declaration.as(FunctionDeclSyntax.self) else {
            context.diagnose(
                Diagnostic(node: attribute, message: MacroDiagnostic.notAFunction(strategy.attribute)))
            return nil
        }
        guard let body = function.body else {
            context.diagnose(Diagnostic(node: attribute, message: MacroDiagnostic.noBody(strategy.attribute)))
            return nil
        }
        self.strategy = strategy
        self.attribute = attribute
        self.function = function
        self.body = body
        self.context = context
        parameters = function.signature.parameterClause.parameters.map(FunctionParameter.init)
        let effects = function.signature.effectSpecifiers
        isThrowing = effects?.throwsClause != nil
        returnType = function.signature.returnClause?.type
        checkSignature(effects: effects)
        readArguments()
    }

    // MARK: Checks

    private mutating func checkSignature(effects: FunctionEffectSpecifiersSyntax?) {
        let name = strategy.attribute
        if effects?.asyncSpecifier == nil {
            // `)` keeps its trailing space, and the new keyword brings its own.
            // A strategy that throws gets both keywords from one fix-it (two would overlap).
            let async = TokenSyntax.keyword(.async, trailingTrivia: .space)
            let addsThrows = strategy.needsThrows && !isThrowing
            let throwsClause =
                addsThrows
                ? ThrowsClauseSyntax(throwsSpecifier: .keyword(.throws, trailingTrivia: .space))
                : effects?.throwsClause
            fail(
                Diagnostic(
                    node: function.name, message: MacroDiagnostic.notAsync(name),
                    fixIt: fixIt(
                        addsThrows ? .addAsyncThrows : .addAsync, effects: effects, async: async,
                        throwsClause: throwsClause)))
        }
        if strategy.needsThrows && !isThrowing && effects?.asyncSpecifier == nil {
            fail(Diagnostic(node: function.name, message: MacroDiagnostic.notThrowing(name)))
        } else if strategy.needsThrows && !isThrowing {
            let throwsClause = ThrowsClauseSyntax(throwsSpecifier: .keyword(.throws, trailingTrivia: .space))
            fail(
                Diagnostic(
                    node: function.name, message: MacroDiagnostic.notThrowing(name),
                    fixIt: fixIt(
                        .addThrows, effects: effects,
                        async: effects?.asyncSpecifier ?? .keyword(.async, trailingTrivia: .space),
                        throwsClause: throwsClause)))
        }
        if let clause = effects?.throwsClause, clause.type != nil {
            let untyped = ThrowsClauseSyntax(
                throwsSpecifier: clause.throwsSpecifier.with(\.trailingTrivia, clause.trailingTrivia))
            fail(
                Diagnostic(
                    node: clause, message: MacroDiagnostic.typedThrows(name),
                    fixIt: FixIt(
                        message: MacroFixIt.untypedThrows,
                        changes: [.replace(oldNode: Syntax(clause), newNode: Syntax(untyped))])))
        }
        if strategy.storesResult, returnType.map({ Self.isVoid($0) }) ?? true {
            fail(Diagnostic(node: function.name, message: MacroDiagnostic.noResult(name)))
        }
        for parameter in parameters where parameter.isInout {
            fail(Diagnostic(node: parameter.syntax, message: MacroDiagnostic.inoutParameter(name, parameter.name)))
        }
        if strategy.method == Strategy.invalidate.method,
            attribute.arguments?.as(LabeledExprListSyntax.self)?.contains(where: {
                $0.label?.text == "key" || $0.label?.text == "tags"
            }) != true
        {
            fail(Diagnostic(node: attribute, message: MacroDiagnostic.nothingToInvalidate))
        }
    }

    /// The fix-it that gives the signature these effects.
    private func fixIt(
        _ message: MacroFixIt, effects: FunctionEffectSpecifiersSyntax?, async: TokenSyntax,
        throwsClause: ThrowsClauseSyntax?
    ) -> FixIt {
        let signature = function.signature
        var fixed = signature
        fixed.effectSpecifiers = FunctionEffectSpecifiersSyntax(asyncSpecifier: async, throwsClause: throwsClause)
        return FixIt(message: message, changes: [.replace(oldNode: Syntax(signature), newNode: Syntax(fixed))])
    }

    private static func isVoid(_ type: TypeSyntax) -> Bool {
        let text = type.trimmedDescription
        return text == "Void" || text == "()" || text == "Swift.Void"
    }

    private mutating func readArguments() {
        guard let arguments = attribute.arguments?.as(LabeledExprListSyntax.self) else { return }
        for argument in arguments {
            let label = argument.label?.text ?? ""
            switch label {
            case "key":
                if let literal = stringLiteral(argument.expression, role: "key") { keyLiteral = literal }
            case "tags":
                guard let array = argument.expression.as(ArrayExprSyntax.self) else {
                    fail(Diagnostic(node: argument.expression, message: MacroDiagnostic.tagsNotLiteral))
                    continue
                }
                for element in array.elements {
                    if let literal = stringLiteral(element.expression, role: "tag") { tagLiterals.append(literal) }
                }
            case "cache":
                cacheExpression = argument.expression
            default:
                passed[label] = argument.expression
            }
        }
    }

    /// The string literal of a key or tag template, or nil (reported) when it is not one.
    private mutating func stringLiteral(_ expression: ExprSyntax, role: String) -> StringLiteralExprSyntax? {
        guard let literal = expression.as(StringLiteralExprSyntax.self) else {
            fail(Diagnostic(node: expression, message: MacroDiagnostic.templateNotLiteral(role)))
            return nil
        }
        guard literal.representedLiteralValue != nil else {
            fail(
                Diagnostic(
                    node: literal, message: MacroDiagnostic.interpolatedTemplate(role),
                    fixIts: Self.placeholderFixIt(for: literal).map { [$0] } ?? []))
            return nil
        }
        return literal
    }

    /// Rewrites `"user:\(id)"` as `"user:{id}"` when every interpolation is a plain name.
    private static func placeholderFixIt(for literal: StringLiteralExprSyntax) -> FixIt? {
        var text = ""
        for segment in literal.segments {
            if let segment = segment.as(StringSegmentSyntax.self) {
                text += segment.content.text
            } else if let segment = segment.as(ExpressionSegmentSyntax.self), segment.expressions.count == 1,
                let name = segment.expressions.first?.expression.as(DeclReferenceExprSyntax.self)
            {
                text += "{\(name.baseName.text)}"
            } else {
                return nil
            }
        }
        let fixed = StringLiteralExprSyntax(content: text).with(\.leadingTrivia, literal.leadingTrivia)
            .with(\.trailingTrivia, literal.trailingTrivia)
        return FixIt(
            message: MacroFixIt.usePlaceholders,
            changes: [.replace(oldNode: Syntax(literal), newNode: Syntax(fixed))])
    }

    mutating func fail(_ diagnostic: Diagnostic) {
        context.diagnose(diagnostic)
        failed = true
    }

    // MARK: Expansion

    /// The new body: a call of the strategy, or the original body when something was reported.
    mutating func expansion() -> [CodeBlockItemSyntax] {
        let key = keyLiteral.flatMap { keyExpression(for: $0) }
        let tags = tagLiterals.compactMap { keyExpression(for: $0) }
        guard !failed else { return Array(body.statements) }
        if strategy.method == Strategy.invalidate.method {
            return invalidation(key: key, tags: tags)
        }
        let keyText = key ?? defaultKey()
        var arguments = ["key: \(keyText)"]
        for label in strategy.passedOn {
            if label == "tags" {
                if !tags.isEmpty { arguments.append("tags: [\(tags.joined(separator: ", "))]") }
            } else if let expression = passed[label] {
                arguments.append("\(label): \(expression.trimmedDescription)")
            }
        }
        let call = "\(cacheText()).\(strategy.method)(\(arguments.joined(separator: ", ")), "
        // The body becomes a local function (closures with capture lists do not survive a body
        // macro in Swift 6.3, swiftlang/swift#80050, so `[self]` is not an option): it uses `self`
        // implicitly, and it keeps the function's isolation.
        let name =
            parameters.contains { $0.name == "decoratedBody" } ? context.makeUniqueName("body").text : "decoratedBody"
        let isolation = Isolation(function: function, lexicalContext: context.lexicalContext)
        let effects = isThrowing ? "async throws" : "async"
        let result = returnType.map { " -> \($0.trimmed)" } ?? ""
        let sendable = isolation.actor == nil ? "@Sendable " : ""
        let local: CodeBlockItemSyntax = """
            \(raw: sendable)func \(raw: name)() \(raw: effects)\(raw: result) {
            \(raw: Self.indented(dedentedStatements))
            }
            """
        let compute = isolation.actor.map { "IsolatedBody.on(\($0), \(name))" } ?? name
        let returns = returnType == nil ? "" : "return "
        if isThrowing {
            return [local, "\(raw: returns)try await \(raw: call)\(raw: compute))"]
        }
        // A function that does not throw serves its body when the cache fails.
        return [
            local,
            """
            do {
                \(raw: returns)try await \(raw: call)\(raw: compute))
            } catch {
                \(raw: returns)await \(raw: name)()
            }
            """,
        ]
    }

    /// The body's statements, without the indentation they had in the function.
    private var dedentedStatements: String {
        var lines = body.statements.description.split(separator: "\n", omittingEmptySubsequences: false).map(
            String.init)
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
        let indentation =
            lines.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix { $0 == " " || $0 == "\t" }.count }
            .min() ?? 0
        return lines.map { $0.allSatisfy(\.isWhitespace) ? "" : String($0.dropFirst(indentation)) }.joined(
            separator: "\n")
    }

    /// `@Invalidate`: the body runs in place (on the caller's isolation), then the keys go.
    private func invalidation(key: String?, tags: [String]) -> [CodeBlockItemSyntax] {
        var arguments = ["key: \(key ?? "nil")"]
        if !tags.isEmpty { arguments.append("tags: [\(tags.joined(separator: ", "))]") }
        let statements = dedentedStatements
        let returns = returnType == nil ? "" : "return "
        let call = "\(cacheText()).invalidating(\(arguments.joined(separator: ", ")))"
        return ["\(raw: returns)try await \(raw: call) {\n\(raw: Self.indented(statements))\n}"]
    }

    static func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }
            .joined(separator: "\n")
    }

    /// The cache: `Cache.shared`, the expression in the attribute, or `self.name` for `\.name`.
    private func cacheText() -> String {
        guard let cacheExpression else { return "Cache.shared" }
        if let member = cacheExpression.as(MemberAccessExprSyntax.self), member.base == nil,
            member.declName.baseName.text == "shared"
        {
            return "Cache.shared"
        }
        if let call = cacheExpression.as(FunctionCallExprSyntax.self),
            let member = call.calledExpression.as(MemberAccessExprSyntax.self), member.base == nil,
            member.declName.baseName.text == "named", let argument = call.arguments.first
        {
            return argument.expression.trimmedDescription
        }
        if let call = cacheExpression.as(FunctionCallExprSyntax.self),
            let member = call.calledExpression.as(MemberAccessExprSyntax.self), member.base == nil,
            member.declName.baseName.text == "property",
            let keyPath = call.arguments.first?.expression.as(KeyPathExprSyntax.self)
        {
            let components = keyPath.components.compactMap {
                $0.component.as(KeyPathPropertyComponentSyntax.self)?.declName.baseName.text
            }
            let base = function.modifiers.contains { $0.name.tokenKind == .keyword(.static) } ? "Self" : "self"
            return ([base] + components).joined(separator: ".")
        }
        return cacheExpression.trimmedDescription
    }

    /// The stable default key: module, type, function with its labels, and every argument.
    private func defaultKey() -> String {
        let arguments = parameters.map(\.name).filter { $0 != "_" }.joined(separator: ", ")
        if let type = TypeName(lexicalContext: context.lexicalContext).expression {
            return "DefaultKey.make(type: \(type).self, arguments: [\(arguments)])"
        }
        return "DefaultKey.make(arguments: [\(arguments)])"
    }
}
