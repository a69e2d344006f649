import SwiftSyntax

/// A parameter of a decorated function, as far as keys need it.
struct FunctionParameter {
    let syntax: FunctionParameterSyntax
    /// The argument label (`_` when there is none).
    let label: String
    /// The name in scope in the body (`_` when there is none).
    let name: String
    /// The type as written, without attributes and specifiers.
    let typeName: String
    let isInout: Bool

    init(_ syntax: FunctionParameterSyntax) {
        self.syntax = syntax
        label = syntax.firstName.text
        name = (syntax.secondName ?? syntax.firstName).text
        var type = syntax.type
        var isInout = false
        if let attributed = type.as(AttributedTypeSyntax.self) {
            isInout = attributed.specifiers.contains {
                $0.as(SimpleTypeSpecifierSyntax.self)?.specifier.tokenKind == .keyword(.inout)
            }
            type = attributed.baseType
        }
        self.isInout = isInout
        typeName =
            type.trimmedDescription
            + (syntax.ellipsis == nil ? "" : "...")
    }

    /// Types whose text in a key is their interpolation (as Cashews' `KeyText` renders them), so
    /// that a bare placeholder of one expands to `\(name)`.
    private static let plainTextTypes: Set<String> = [
        "String", "Substring", "Character", "Bool", "Int", "Int8", "Int16", "Int32", "Int64", "UInt", "UInt8",
        "UInt16", "UInt32", "UInt64", "Double", "Float",
    ]

    /// Types that have no fields a template could read.
    private static let fieldlessTypes: Set<String> = plainTextTypes.subtracting(["String", "Substring"])

    /// Whether a bare placeholder of this parameter renders as its interpolation.
    var isPlainText: Bool { Self.plainTextTypes.contains(typeName) }

    /// Why `accessor` cannot read this parameter, when the type says so.
    func problem(with accessor: KeyPlaceholderSyntax.Accessor) -> String? {
        switch accessor {
        case .member(let field, _):
            guard Self.plainTextTypes.contains(typeName) else { return nil }
            return "\"\(name)\" is \(typeName.first.map { "AEIOU".contains($0) } == true ? "an" : "a") \(typeName),"
                + " which has no field \"\(field)\": a template reads fields of structs and classes"
        case .index(let index, _):
            guard Self.fieldlessTypes.contains(typeName) else { return nil }
            return "\"\(name)\" is \(typeName.first.map { "AEIOU".contains($0) } == true ? "an" : "a") \(typeName),"
                + " which has no element [\(index)]: a template indexes arrays, tuples, strings and dictionaries"
        }
    }
}
