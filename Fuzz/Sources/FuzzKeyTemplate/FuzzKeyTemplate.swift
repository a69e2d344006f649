// Fuzzes key templates: any text parses or throws a typed KeyTemplateError whose column lies in
// the text; a parsed template renders, with values of many shapes made from the rest of the
// input (or none, or from the context), to a key or a typed error with a column in the text;
// and DefaultKey.make takes the same values without crashing. The input is the template, a 0
// byte, then the bytes the values are made from.
import Cashews
import Foundation

struct Sample: Sendable {
    var name: String
    var tags: [String]
    var nested: [String: Int]
}

struct Accessible: KeyFieldAccessible, Sendable {
    let text: String

    func keyField(named name: String) -> (any Sendable)? {
        name == "nil" ? nil : name == "none" ? String?.none as any Sendable : text + name
    }
}

/// Values of varied shapes read from `bytes`.
struct ValueReader {
    var bytes: ArraySlice<UInt8>

    mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }

    mutating func text() -> String {
        let count = Int(byte() % 12)
        let taken = bytes.prefix(count)
        bytes = bytes.dropFirst(count)
        return String(decoding: taken, as: UTF8.self)
    }

    mutating func value(depth: Int = 0) -> any Sendable {
        switch byte() % 16 {
        case 0: return text()
        case 1: return Int(Int8(bitPattern: byte())) * 1_000_003
        case 2: return byte() & 1 == 0
        case 3: return String?.none
        case 4: return Array(bytes.prefix(Int(byte() % 8)))
        case 5: return Double(Int8(bitPattern: byte())) / 3
        case 6: return depth < 3 ? (0..<Int(byte() % 4)).map { _ in value(depth: depth + 1) } : "deep"
        case 7: return [(text(), text()), (text(), text())].reduce(into: [String: String]()) { $0[$1.0] = $1.1 }
        case 8: return Set([text(), text()])
        case 9: return Sample(name: text(), tags: [text(), text()], nested: [text(): Int(byte())])
        case 10: return Accessible(text: text())
        case 11: return Optional(Optional(text()))
        case 12: return (text(), Int(byte()))
        case 13: return UInt64(byte()) << 56
        case 14: return CocoaError(.fileNoSuchFile)
        default: return Data(text().utf8)
        }
    }
}

func check(_ error: KeyTemplateError, _ text: String) {
    precondition(error.template == text, "the error must quote the template: \(error)")
    precondition(
        (1...max(1, text.count)).contains(error.column), "column \(error.column) outside \"\(text)\": \(error)")
    precondition(!error.description.isEmpty)
}

/// The libFuzzer entry point: runs one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeyTemplate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let text = String(decoding: bytes[..<split], as: UTF8.self)
    var reader = ValueReader(bytes: bytes[min(split + 1, bytes.count)...])
    let template: KeyTemplate
    do {
        template = try KeyTemplate(text)
    } catch {
        check(error, text)
        return 0
    }
    var named: [String: any Sendable] = [:]
    var positional: [any Sendable] = []
    for name in template.placeholderNames {
        let value = reader.value()
        positional.append(value)
        // Some names are left out, to be missing or filled from the context.
        if reader.byte() % 5 != 0 { named[name] = value }
    }
    let context = [template.placeholderNames.first ?? "x": reader.value()]
    for render in [{ try template.render(named) }, { try template.render(positional: positional) }] {
        do {
            let key = try KeyContext.withValues(context, operation: render)
            if template.isLiteral {
                let again = try template.render()
                precondition(key == again, "a literal renders alike")
            }
        } catch let error as KeyTemplateError {
            check(error, text)
        } catch {
            preconditionFailure("untyped error \(error)")
        }
    }
    _ = DefaultKey.make(function: "f(\(text):)", arguments: positional)
    return 0
}
