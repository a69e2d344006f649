import SwiftSyntax

/// Where a decorated function runs, so that the strategy's `@Sendable` compute closure runs its
/// body there too (through `IsolatedBody.on`).
struct Isolation {
    /// The actor the body must run on (`self`, or a global actor's `shared`), or nil when the
    /// function is not isolated.
    let actor: String?

    init(function: FunctionDeclSyntax, lexicalContext: [Syntax]) {
        let types = lexicalContext.filter { Self.isTypeContext($0) }
        if Self.isNonisolated(function.modifiers) {
            actor = nil
            return
        }
        if let global = Self.globalActor(function.attributes) {
            actor = "\(global).shared"
            return
        }
        let isStatic = function.modifiers.contains {
            $0.name.tokenKind == .keyword(.static) || $0.name.tokenKind == .keyword(.class)
        }
        if let innermost = types.first, innermost.is(ActorDeclSyntax.self), !isStatic {
            actor = "self"
            return
        }
        for type in types {
            if let group = type.asProtocol(WithAttributesSyntax.self), let global = Self.globalActor(group.attributes) {
                actor = "\(global).shared"
                return
            }
        }
        actor = nil
    }

    private static func isTypeContext(_ syntax: Syntax) -> Bool {
        syntax.is(StructDeclSyntax.self) || syntax.is(ClassDeclSyntax.self) || syntax.is(ActorDeclSyntax.self)
            || syntax.is(EnumDeclSyntax.self) || syntax.is(ExtensionDeclSyntax.self)
    }

    private static func isNonisolated(_ modifiers: DeclModifierListSyntax) -> Bool {
        modifiers.contains { $0.name.tokenKind == .keyword(.nonisolated) }
    }

    /// The global actor an attribute list names, such as `MainActor` for `@MainActor`.
    private static func globalActor(_ attributes: AttributeListSyntax) -> String? {
        for case .attribute(let attribute) in attributes {
            let name = attribute.attributeName.trimmedDescription
            if name.hasSuffix("Actor") { return name }
        }
        return nil
    }
}

/// The name of the type a function belongs to, for its default key.
struct TypeName {
    /// `Outer.Inner`, `Self` for generic types and protocol extensions, or nil at global scope.
    let expression: String?

    init(lexicalContext: [Syntax]) {
        var names: [String] = []
        for syntax in lexicalContext {
            if let group = syntax.as(StructDeclSyntax.self) {
                guard group.genericParameterClause == nil else { expression = "Self"; return }
                names.append(group.name.text)
            } else if let group = syntax.as(ClassDeclSyntax.self) {
                guard group.genericParameterClause == nil else { expression = "Self"; return }
                names.append(group.name.text)
            } else if let group = syntax.as(ActorDeclSyntax.self) {
                guard group.genericParameterClause == nil else { expression = "Self"; return }
                names.append(group.name.text)
            } else if let group = syntax.as(EnumDeclSyntax.self) {
                guard group.genericParameterClause == nil else { expression = "Self"; return }
                names.append(group.name.text)
            } else if let group = syntax.as(ExtensionDeclSyntax.self) {
                names.append(group.extendedType.trimmedDescription)
                break
            } else if syntax.is(ProtocolDeclSyntax.self) {
                expression = "Self"; return
            }
        }
        expression = names.isEmpty ? nil : names.reversed().joined(separator: ".")
    }
}
