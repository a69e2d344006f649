/// A type that hands its fields to key templates itself, so that `{user.name}` and `{user[name]}`
/// read them without reflection (`Mirror`), which is slower and sees only stored properties.
///
/// ```swift
/// struct User: KeyFieldAccessible {
///     var id: Int
///     var nickname: String?
///
///     func keyField(named name: String) -> (any Sendable)? {
///         switch name {
///         case "id": id
///         case "nickname": nickname as any Sendable  // a nil nickname is a field that is nil
///         default: nil                              // no such field
///         }
///     }
/// }
/// ```
///
/// Return `nil` for a name that is not a field. A field of optional type is returned as
/// `value as any Sendable`, so that a field holding `nil` is not taken for a missing one.
public protocol KeyFieldAccessible {
    /// The value of the field `name`, or `nil` when there is no such field.
    func keyField(named name: String) -> (any Sendable)?
}

/// One step of a placeholder's path: `.name` or `[index]`.
enum KeyFieldAccessor: Sendable, Hashable {
    /// `.name`: a field.
    case member(String, column: Int)
    /// `[index]`: an element of an array, tuple or string, or a dictionary's value.
    case index(String, column: Int)

    var column: Int {
        switch self {
        case .member(_, let column), .index(_, let column): column
        }
    }

    /// The accessor as written.
    var text: String {
        switch self {
        case .member(let name, _): ".\(name)"
        case .index(let index, _): "[\(index)]"
        }
    }

    /// The value this accessor reads from `value`, or why it cannot.
    func read(from value: Any) -> Result<Any, KeyFieldAccessFailure> {
        guard let value = KeyFieldAccessor.unwrapped(value) else {
            return .failure(.init(reason: "the value is nil"))
        }
        if let accessible = value as? any KeyFieldAccessible {
            guard let field = accessible.keyField(named: name) else {
                return .failure(.init(reason: "\(type(of: value)) has no field \"\(name)\" (see its keyField(named:))"))
            }
            return .success(field)
        }
        switch self {
        case .member(let name, _):
            return KeyFieldAccessor.member(name, of: value)
        case .index(let index, _):
            return KeyFieldAccessor.element(index, of: value)
        }
    }

    private var name: String {
        switch self {
        case .member(let name, _), .index(let name, _): name
        }
    }

    private static func unwrapped(_ value: Any) -> Any? {
        var value = value
        while let optional = value as? any KeyTextOptional {
            guard let wrapped = optional.keyTextWrapped else { return nil }
            value = wrapped
        }
        return value
    }

    private static func member(_ name: String, of value: Any) -> Result<Any, KeyFieldAccessFailure> {
        var mirror: Mirror? = Mirror(reflecting: value)
        var names: [String] = []
        while let current = mirror {
            for child in current.children {
                guard let label = child.label else { continue }
                if label == name { return .success(child.value) }
                names.append(label)
            }
            mirror = current.superclassMirror
        }
        let type = type(of: value)
        if value is any KeyIndexable {
            return .failure(.init(reason: "\(type) has no fields: write [\(name)] for an element or key"))
        }
        let fields =
            names.isEmpty
            ? "it has no stored fields" : "its fields are \(names.map { "\"\($0)\"" }.joined(separator: ", "))"
        return .failure(
            .init(reason: "\(type) has no field \"\(name)\": \(fields) (or conform it to KeyFieldAccessible)"))
    }

    private static func element(_ index: String, of value: Any) -> Result<Any, KeyFieldAccessFailure> {
        if let indexable = value as? any KeyIndexable {
            return indexable.keyElement(index)
        }
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .tuple || mirror.displayStyle == .collection {
            let children = Array(mirror.children)
            if let label = children.firstIndex(where: { $0.label == index || $0.label == ".\(index)" }) {
                return .success(children[label].value)
            }
            return position(index, count: children.count).map { children[$0].value }
        }
        return .failure(
            .init(
                reason: "\(type(of: value)) cannot be indexed: index arrays, dictionaries, strings and tuples,"
                    + " and write .name for a field"))
    }

    /// The position `index` names among `count` elements (negative from the end).
    static func position(_ index: String, count: Int) -> Result<Int, KeyFieldAccessFailure> {
        guard let number = Int(index) else {
            return .failure(.init(reason: "\"\(index)\" is not an integer index"))
        }
        let position = number < 0 ? count + number : number
        guard position >= 0, position < count else {
            return .failure(.init(reason: "index \(number) is out of range (there are \(count) elements)"))
        }
        return .success(position)
    }
}

/// Why a field or element cannot be read.
struct KeyFieldAccessFailure: Error {
    let reason: String
}

/// A standard type that `[index]` reads, seen through `Any`.
protocol KeyIndexable {
    func keyElement(_ index: String) -> Result<Any, KeyFieldAccessFailure>
}

extension Array: KeyIndexable {
    func keyElement(_ index: String) -> Result<Any, KeyFieldAccessFailure> {
        KeyFieldAccessor.position(index, count: count).map { self[$0] as Any }
    }
}

extension ArraySlice: KeyIndexable {
    func keyElement(_ index: String) -> Result<Any, KeyFieldAccessFailure> {
        KeyFieldAccessor.position(index, count: count).map { self[startIndex + $0] as Any }
    }
}

extension ContiguousArray: KeyIndexable {
    func keyElement(_ index: String) -> Result<Any, KeyFieldAccessFailure> {
        KeyFieldAccessor.position(index, count: count).map { self[$0] as Any }
    }
}

extension String: KeyIndexable {
    func keyElement(_ index: String) -> Result<Any, KeyFieldAccessFailure> {
        KeyFieldAccessor.position(index, count: count).map { String(self[self.index(startIndex, offsetBy: $0)]) }
    }
}

extension Dictionary: KeyIndexable {
    func keyElement(_ index: String) -> Result<Any, KeyFieldAccessFailure> {
        if let key = index as? Key, let value = self[key] { return .success(value) }
        // Other keys are matched by their key text, so Int and any other key type work.
        for (key, value) in self where KeyText.text(for: key) == index {
            return .success(value)
        }
        let keys = keys.map { KeyText.text(for: $0) }.sorted().prefix(10).map { "\"\($0)\"" }
        let known = keys.isEmpty ? "it is empty" : "its keys include \(keys.joined(separator: ", "))"
        return .failure(.init(reason: "no key \"\(index)\" in the dictionary (\(known))"))
    }
}
