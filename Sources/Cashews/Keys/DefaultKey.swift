import Foundation

/// The default cache key of a function call: its module, type and function name, and every
/// argument with its label.
///
/// ```swift
/// struct UserService {
///     func user(id: Int, name: String = "bob") -> String {
///         DefaultKey.make(type: UserService.self, arguments: [id, name])
///         // "MyModule:UserService.user(id:name:):id=42:name=bob" for user(id: 42)
///     }
/// }
/// ```
///
/// Swift has no run-time signatures, so the caller passes its own: `#fileID` (whose first part
/// is the module) and `#function` (the name with its argument labels, such as
/// `user(id:name:)`) are filled in where `make` is called, and the arguments are passed in
/// declaration order. Pass every parameter, defaulted ones included: Swift fills defaults in at
/// the call site, so `user(id: 42)` and `user(id: 42, name: "bob")` get the same key (cashews
/// misses defaults when a call names all its arguments).
///
/// The encoding is injective for a given function: two argument lists get the same key only
/// when their texts are equal element by element, so `f(1)`, `f(id: 1)` and `g(1)` never share
/// a key, nor do `("a:b", "c")` and `("a", "b:c")`. Arguments follow the ``KeyText`` rules,
/// made unambiguous:
///
/// - each argument is `label=text`, after a `:`; an unlabelled (`_`) parameter, and an argument
///   beyond the labels, is labelled by its position: `_0`, `_1`, …;
/// - `\`, `:`, `[` and `]` in the text of a scalar are escaped with `\` (`a\:b`);
/// - collections are bracketed: `[1:2:3]`, sets sorted, dictionaries as sorted `[key:value:…]`,
///   and an empty element of a collection is `\e` (so that `[]` and `[""]` differ);
/// - `nil` is `\0` (so it differs from `""`), and bytes that are not UTF-8 are `\x` and their hex;
/// - when the number of arguments differs from the number of labels, `:#count` follows the
///   function name.
///
/// Two `private` functions of the same name and type in different files of one module share
/// keys: give them different names or an explicit key template.
public enum DefaultKey {
    /// The key of a call to `function` (of `type`, when given) with `arguments`, e.g.
    /// `"MyModule:UserService.user(id:name:):id=42:name=bob"`.
    ///
    /// - Parameters:
    ///   - fileID: The caller's `#fileID`; its module (the part before `/`) starts the key.
    ///   - function: The caller's `#function`; its argument labels name the arguments.
    ///   - type: The type the function belongs to, if any; its name (without the module when it
    ///     is the caller's) comes before the function's.
    ///   - arguments: Every argument, in declaration order.
    public static func make(
        fileID: String = #fileID, function: String = #function, type: Any.Type? = nil, arguments: [any Sendable]
    ) -> String {
        let module = fileID.prefix { $0 != "/" }
        var out = ""
        out.reserveCapacity(module.utf8.count + function.utf8.count + 16 * (arguments.count + 2))
        out += module
        out += ":"
        if let type {
            out += typeName(type, module: module)
            out += "."
        }
        out += function
        let labels = argumentLabels(of: function)
        if labels.count != arguments.count {
            out += ":#"
            out += String(arguments.count)
        }
        for (index, argument) in arguments.enumerated() {
            out += ":"
            if index < labels.count, labels[index] != "_" {
                out += labels[index]
            } else {
                out += "_"
                out += String(index)
            }
            out += "="
            KeyText.append(argument, to: &out, strict: true)
        }
        return out
    }

    /// The argument labels of a `#function` name: `["id", "_"]` for `user(id:_:)`, none for a
    /// property (`name`) or `init()`.
    static func argumentLabels(of function: String) -> [Substring] {
        guard let open = function.firstIndex(of: "("), function.last == ")" else { return [] }
        let inner = function[function.index(after: open)..<function.index(before: function.endIndex)]
        var labels = inner.split(separator: ":", omittingEmptySubsequences: false)
        if labels.last?.isEmpty == true { labels.removeLast() }
        return labels
    }

    /// The type's name as `String(reflecting:)` gives it, without `module.` when it is the
    /// caller's module, and without the addresses of private contexts (which change from run to
    /// run).
    static func typeName(_ type: Any.Type, module: Substring) -> String {
        var name = String(reflecting: type)
        let marker = "(unknown context at $"
        while let start = name.range(of: marker) {
            guard let end = name[start.upperBound...].firstIndex(of: ")") else { break }
            var upper = name.index(after: end)
            if upper < name.endIndex, name[upper] == "." { upper = name.index(after: upper) }
            name.removeSubrange(start.lowerBound..<upper)
        }
        if name.hasPrefix(module + ".") { name.removeFirst(module.count + 1) }
        return name
    }
}
