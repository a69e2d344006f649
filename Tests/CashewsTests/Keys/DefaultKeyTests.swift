import Cashews
import Foundation
import TestSupport
import Testing

private struct UserService {
    func user(id: Int, name: String = "bob") -> String {
        DefaultKey.make(type: UserService.self, arguments: [id, name])
    }

    func user(_ id: Int) -> String { DefaultKey.make(type: UserService.self, arguments: [id]) }
    func account(_ id: Int) -> String { DefaultKey.make(type: UserService.self, arguments: [id]) }

    struct Nested {
        func load(_ a: Int, b: Int) -> String { DefaultKey.make(type: Nested.self, arguments: [a, b]) }
    }
}

private func free(id: Int?) -> String { DefaultKey.make(arguments: [id]) }

/// A parameter type of a generated signature.
private indirect enum Shape: CaseIterable, Sendable {
    case string, int, optionalString, list(Shape), bytes, dictionary

    static let allCases: [Shape] = [
        .string, .int, .optionalString, .list(.string), .list(.list(.string)), .bytes,
        .dictionary, .list(.optionalString),
    ]
}

/// Random values of a shape, with a canonical description: equal descriptions, equal values.
private struct Generator {
    var random: SplitMix64
    let alphabet = ["", "a", "b", ":", "\\", "[", "]", "=", "\\0", "\\e", "é", "0", "#"]

    mutating func string() -> String {
        (0..<Int.random(in: 0...3, using: &random)).map { _ in alphabet.randomElement(using: &random)! }.joined()
    }

    mutating func value(_ shape: Shape) -> (value: any Sendable, canonical: String) {
        switch shape {
        case .string:
            let text = string()
            return (text, text.debugDescription)
        case .int:
            let number = Int.random(in: -3...12, using: &random)
            return (number, "\(number)")
        case .optionalString:
            if Bool.random(using: &random) { return (String?.none, "nil") }
            let text = string()
            return (Optional(text), "some(\(text.debugDescription))")
        case .list(let element):
            let values = (0..<Int.random(in: 0...3, using: &random)).map { _ in value(element) }
            return (values.map(\.value), "[\(values.map(\.canonical).joined(separator: ","))]")
        case .bytes:
            let bytes = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                [UInt8(ascii: "a"), UInt8(ascii: ":"), 0xff, 0xab, UInt8(ascii: "\\")].randomElement(using: &random)!
            }
            return (bytes, "\(bytes)")
        case .dictionary:
            var dictionary: [String: Int] = [:]
            for _ in 0..<Int.random(in: 0...3, using: &random) {
                dictionary[string()] = Int.random(in: 0...2, using: &random)
            }
            let canonical = dictionary.sorted { $0.key < $1.key }.map { "\($0.key.debugDescription)=\($0.value)" }
            return (dictionary, "{\(canonical.joined(separator: ","))}")
        }
    }
}

@Suite("Default keys")
struct DefaultKeyTests {
    @Test("module, type, function, labelled arguments")
    func format() {
        #expect(UserService().user(id: 42) == "CashewsTests:UserService.user(id:name:):id=42:name=bob")
        #expect(UserService().user(id: 42, name: "bob") == UserService().user(id: 42), "defaults apply alike")
        #expect(UserService().user(7) == "CashewsTests:UserService.user(_:):_0=7")
        #expect(UserService.Nested().load(1, b: 2) == "CashewsTests:UserService.Nested.load(_:b:):_0=1:b=2")
        #expect(free(id: 5) == "CashewsTests:free(id:):id=5")
        #expect(free(id: nil) == "CashewsTests:free(id:):id=\\0")
        #expect(DefaultKey.make(function: "name", arguments: []) == "CashewsTests:name")
        #expect(DefaultKey.make(fileID: "Other/File.swift", function: "f()", arguments: []) == "Other:f()")
        #expect(DefaultKey.make(function: "f()", type: Int.self, arguments: []) == "CashewsTests:Swift.Int.f()")
    }

    @Test("f(1), f(id: 1), g(1) and other functions never share a key")
    func functions() {
        let keys = [
            UserService().user(1), UserService().user(id: 1, name: ""), UserService().account(1), free(id: 1),
            DefaultKey.make(function: "user(_:)", arguments: [1]),
            DefaultKey.make(function: "user(id:)", arguments: [1]),
        ]
        #expect(Set(keys).count == keys.count, "\(keys)")
    }

    @Test("a private type's name has no run-time address")
    func privateType() {
        let key = DefaultKey.make(function: "f()", type: UserService.self, arguments: [])
        #expect(key == "CashewsTests:UserService.f()")
        #expect(!key.contains("$"))
    }

    @Test("separators inside arguments are escaped")
    func escaping() {
        let ab = DefaultKey.make(function: "f(_:_:)", arguments: ["a:b", "c"])
        let bc = DefaultKey.make(function: "f(_:_:)", arguments: ["a", "b:c"])
        #expect(ab == "CashewsTests:f(_:_:):_0=a\\:b:_1=c")
        #expect(bc == "CashewsTests:f(_:_:):_0=a:_1=b\\:c")
        #expect(DefaultKey.make(function: "f(x:)", arguments: ["\\[]"]) == "CashewsTests:f(x:):x=\\\\\\[\\]")
        #expect(DefaultKey.make(function: "f(x:)", arguments: [[1, 2]]) == "CashewsTests:f(x:):x=[1:2]")
        #expect(DefaultKey.make(function: "f(x:)", arguments: [[String]()]) == "CashewsTests:f(x:):x=[]")
        #expect(DefaultKey.make(function: "f(x:)", arguments: [[""]]) == "CashewsTests:f(x:):x=[\\e]")
        #expect(DefaultKey.make(function: "f(x:)", arguments: [[UInt8]([0xff])]) == "CashewsTests:f(x:):x=\\xff")
        #expect(DefaultKey.make(function: "f(x:)", arguments: [""]) == "CashewsTests:f(x:):x=")
        #expect(DefaultKey.make(function: "f(x:)", arguments: [["b": 1, "a": 2]]) == "CashewsTests:f(x:):x=[a:2:b:1]")
    }

    @Test("more or fewer arguments than labels are counted")
    func mismatchedCount() {
        let keys = [
            DefaultKey.make(function: "f(a:)", arguments: []), DefaultKey.make(function: "f(a:)", arguments: [1]),
            DefaultKey.make(function: "f(a:)", arguments: [1, 2]),
            DefaultKey.make(function: "f(a:)", arguments: [1, 2, 3]),
        ]
        #expect(
            keys == [
                "CashewsTests:f(a:):#0", "CashewsTests:f(a:):a=1", "CashewsTests:f(a:):#2:a=1:_1=2",
                "CashewsTests:f(a:):#3:a=1:_1=2:_2=3",
            ])
    }

    @Test("property: distinct arguments of one signature get distinct keys", arguments: 0..<8)
    func injective(seed: UInt64) {
        var generator = Generator(random: SplitMix64(seed: 0xC0FFEE &+ seed))
        for _ in 0..<40 {
            let signature = (0..<Int.random(in: 0...3, using: &generator.random)).map { _ in
                Shape.allCases.randomElement(using: &generator.random)!
            }
            let labels = signature.indices.map { _ in Bool.random(using: &generator.random) ? "_:" : "x:" }.joined()
            let function = "f(\(labels))"
            var seen: [String: String] = [:]
            for _ in 0..<150 {
                let arguments = signature.map { generator.value($0) }
                let key = DefaultKey.make(function: function, arguments: arguments.map(\.value))
                let canonical = arguments.map(\.canonical).joined(separator: " | ")
                if let previous = seen[key], previous != canonical {
                    Issue.record("\(previous) and \(canonical) share the key \(key)")
                    return
                }
                seen[key] = canonical
                #expect(DefaultKey.make(function: function, arguments: arguments.map(\.value)) == key)
            }
        }
    }

    @Test(
        "property: functions of other modules, types, names and labels never share a key, whatever the arguments",
        arguments: 0..<4)
    func distinctFunctions(seed: UInt64) {
        var generator = Generator(random: SplitMix64(seed: 0xFACADE &+ seed))
        let modules = ["CashewsTests/a.swift", "Other/b.swift", "Cashews/c.swift", "CashewsTests2/d.swift"]
        let types: [(any Any.Type)?] = [nil, UserService.self, UserService.Nested.self]
        let names = ["f", "f_", "g", "fx", "user"]
        let labels = ["_:", "x:", "id:", "x_:"]
        // Declarations as Swift allows them: one signature per module, type, name and labels.
        var declarations: [String: (fileID: String, type: (any Any.Type)?, function: String, shapes: [Shape])] = [:]
        for _ in 0..<80 {
            let fileID = modules.randomElement(using: &generator.random)!
            let typeIndex = Int.random(in: 0..<types.count, using: &generator.random)
            let arity = Int.random(in: 0...3, using: &generator.random)
            let function =
                names.randomElement(using: &generator.random)!
                + "(\((0..<arity).map { _ in labels.randomElement(using: &generator.random)! }.joined()))"
            let shapes = (0..<arity).map { _ in Shape.allCases.randomElement(using: &generator.random)! }
            let identity = "\(fileID.prefix { $0 != "/" }) \(typeIndex) \(function)"
            if declarations[identity] == nil { declarations[identity] = (fileID, types[typeIndex], function, shapes) }
        }
        var seen: [String: String] = [:]
        for (identity, declaration) in declarations.sorted(by: { $0.key < $1.key }) {
            for _ in 0..<40 {
                let arguments = declaration.shapes.map { generator.value($0) }
                let key = DefaultKey.make(
                    fileID: declaration.fileID, function: declaration.function, type: declaration.type,
                    arguments: arguments.map(\.value))
                let call = identity + " " + arguments.map(\.canonical).joined(separator: " | ")
                if let previous = seen[key], previous != call {
                    Issue.record("\(previous) and \(call) share the key \(key)")
                    return
                }
                seen[key] = call
            }
        }
        #expect(declarations.count > 40)
    }
}
