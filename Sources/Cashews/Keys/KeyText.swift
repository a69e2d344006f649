import Foundation

/// A type that chooses its own text in cache keys, instead of `String(describing:)`.
///
/// ```swift
/// struct UserID: KeyTextConvertible {
///     let raw: UInt64
///     var keyText: String { "u\(raw)" }
/// }
/// try KeyTemplate("user:{id}").render(["id": UserID(raw: 7)])  // "user:u7"
/// ```
///
/// Keep the text stable across releases and processes: keys built from it may outlive the
/// program (on disk, or shared between processes).
public protocol KeyTextConvertible {
    /// The text of this value in a cache key.
    var keyText: String { get }
}

/// The rules that turn values into the text of cache keys, shared by ``KeyTemplate`` and
/// ``DefaultKey``. See <doc:KeysAndTemplates> for the table.
public enum KeyText {
    /// The text of `value` in a key: strings as they are, `true`/`false`, numbers by their
    /// `description`, bytes as UTF-8 (or lowercase hex when they are not UTF-8), collections
    /// `:`-joined (sets and dictionaries sorted), `nil` as `""`, errors as `TypeName:description`,
    /// ``KeyTextConvertible`` values by their ``KeyTextConvertible/keyText``, anything else by
    /// `String(describing:)`.
    public static func text(for value: Any) -> String {
        var out = ""
        append(value, to: &out, strict: false)
        return out
    }

    /// Appends the text of `value` to `out`.
    ///
    /// In strict mode (``DefaultKey``) the encoding is injective for values of one type: `\`, `:`,
    /// `[` and `]` in scalar text are escaped with `\`, collections are bracketed (`[a:b]`) and an
    /// empty element in one is `\e`, `nil` is `\0`, and bytes that are not UTF-8 are `\x`
    /// followed by their hex.
    static func append(_ value: Any, to out: inout String, strict: Bool) {
        // Opened, the value's type is at hand: the common scalars are told apart by comparing
        // types, without the dynamic casts (a failed cast costs more than a successful one).
        func opened<Value>(_ value: Value) {
            if Value.self == String.self {
                appendScalar(unsafeBitCast(value, to: String.self), to: &out, strict: strict)
            } else if Value.self == Int.self {
                out += String(unsafeBitCast(value, to: Int.self))
            } else if Value.self == Bool.self {
                out += unsafeBitCast(value, to: Bool.self) ? "true" : "false"
            } else {
                appendOther(value, to: &out, strict: strict)
            }
        }
        _openExistential(value, do: opened)
    }

    private static func appendOther(_ value: Any, to out: inout String, strict: Bool) {
        if let optional = value as? any KeyTextOptional {
            if let wrapped = optional.keyTextWrapped {
                append(wrapped, to: &out, strict: strict)
            } else if strict {
                out += "\\0"
            }
        } else if let custom = value as? any KeyTextConvertible {
            appendScalar(custom.keyText, to: &out, strict: strict)
        } else if let substring = value as? Substring {
            appendScalar(String(substring), to: &out, strict: strict)
        } else if let character = value as? Character {
            appendScalar(String(character), to: &out, strict: strict)
        } else if type(of: value) == [UInt8].self, let bytes = value as? [UInt8] {
            // By exact type: any empty array casts to [UInt8].
            appendBytes(bytes, to: &out, strict: strict)
        } else if let data = value as? Data {
            appendBytes(data, to: &out, strict: strict)
        } else if let integer = value as? any BinaryInteger {
            out += integer.description
        } else if let double = value as? Double {
            out += double.description
        } else if let float = value as? Float {
            out += float.description
        } else if let error = value as? any Error {
            appendScalar("\(type(of: error)):\(error)", to: &out, strict: strict)
        } else if let collection = value as? any KeyTextCollection {
            appendCollection(collection.keyTextElements, to: &out, strict: strict)
        } else {
            appendScalar(String(describing: value), to: &out, strict: strict)
        }
    }

    private static func appendCollection(_ elements: KeyTextElements, to out: inout String, strict: Bool) {
        if strict { out += "[" }
        switch elements {
        case .ordered(let values):
            for (index, element) in values.enumerated() {
                if index > 0 { out += ":" }
                if strict {
                    out += elementText(element)
                } else {
                    append(element, to: &out, strict: false)
                }
            }
        case .unordered(let values):
            let texts = values.map { strict ? elementText($0) : text(for: $0) }
            out += texts.sorted().joined(separator: ":")
        case .pairs(let pairs):
            let texts = pairs.map { pair in
                strict
                    ? (key: elementText(pair.key), value: elementText(pair.value))
                    : (key: text(for: pair.key), value: text(for: pair.value))
            }
            for (index, pair) in texts.sorted(by: { ($0.key, $0.value) < ($1.key, $1.value) }).enumerated() {
                if index > 0 { out += ":" }
                out += pair.key
                out += ":"
                out += pair.value
            }
        }
        if strict { out += "]" }
    }

    /// The strict text of a collection's element, never empty (`\e` for empty text), so that
    /// `[]` and `[""]` differ.
    private static func elementText(_ element: Any) -> String {
        var text = ""
        append(element, to: &text, strict: true)
        return text.isEmpty ? "\\e" : text
    }

    private static func appendBytes(_ bytes: some Collection<UInt8>, to out: inout String, strict: Bool) {
        // Decoding validates: a String only when every byte sequence is valid UTF-8.
        if let text = String(validating: bytes, as: UTF8.self) {
            appendScalar(text, to: &out, strict: strict)
            return
        }
        if strict { out += "\\x" }
        appendHex(bytes, to: &out)
    }

    /// Appends the lowercase hex of `bytes`.
    static func appendHex(_ bytes: some Sequence<UInt8>, to out: inout String) {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var hex = [UInt8]()
        hex.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0xF)])
        }
        out += String(decoding: hex, as: UTF8.self)
    }

    /// Appends `text`, escaped in strict mode.
    static func appendScalar(_ text: String, to out: inout String, strict: Bool) {
        guard strict, text.utf8.contains(where: isEscaped) else {
            out += text
            return
        }
        for scalar in text.unicodeScalars {
            if scalar.isASCII && isEscaped(UInt8(scalar.value)) { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(scalar)
        }
    }

    private static func isEscaped(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\\") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[")
            || byte == UInt8(ascii: "]")
    }
}

// MARK: Dynamic views of generic standard types

/// An `Optional` of any wrapped type, seen through `Any`.
protocol KeyTextOptional {
    var keyTextWrapped: Any? { get }
}

extension Optional: KeyTextOptional {
    var keyTextWrapped: Any? { map { $0 as Any } }
}

/// The elements of a collection, in the form its text needs.
enum KeyTextElements {
    /// In order (arrays).
    case ordered([Any])
    /// In no stable order: sorted by their text (sets).
    case unordered([Any])
    /// Key-value pairs: sorted by the text of their keys (dictionaries).
    case pairs([(key: Any, value: Any)])
}

/// A standard collection seen through `Any`.
protocol KeyTextCollection {
    var keyTextElements: KeyTextElements { get }
}

extension Array: KeyTextCollection {
    var keyTextElements: KeyTextElements { .ordered(map { $0 as Any }) }
}

extension ArraySlice: KeyTextCollection {
    var keyTextElements: KeyTextElements { .ordered(map { $0 as Any }) }
}

extension ContiguousArray: KeyTextCollection {
    var keyTextElements: KeyTextElements { .ordered(map { $0 as Any }) }
}

extension Set: KeyTextCollection {
    var keyTextElements: KeyTextElements { .unordered(map { $0 as Any }) }
}

extension Dictionary: KeyTextCollection {
    var keyTextElements: KeyTextElements { .pairs(map { (key: $0.key as Any, value: $0.value as Any) }) }
}
