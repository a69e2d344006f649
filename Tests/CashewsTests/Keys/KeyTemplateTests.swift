import Cashews
import Foundation
import Testing

private struct KTProfile: Sendable {
    var city: String
}

private struct KTUser: Sendable {
    var name: String
    var tags: [String]
    var profile: KTProfile
    var nickname: String?
}

private class KTAnimal: @unchecked Sendable {
    let legs = 4
}

private final class KTDog: KTAnimal, @unchecked Sendable {
    let name = "rex"
}

private struct KTAccount: KeyFieldAccessible, Sendable {
    var id: Int
    var note: String?

    func keyField(named name: String) -> (any Sendable)? {
        switch name {
        case "id": id
        case "note": note as any Sendable
        case "computed": id * 2
        default: nil
        }
    }
}

private struct KTUserID: KeyTextConvertible, Sendable {
    let raw: Int
    var keyText: String { "u\(raw)" }
}

private struct KTPlain: Sendable, CustomStringConvertible {
    var description: String { "plain!" }
}

private struct KTBoom: Error, CustomStringConvertible {
    var description: String { "it broke" }
}

/// A JSON Web Token (unsigned) with `payload` as its claims.
private func jwt(_ payload: String) -> String {
    func encode(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
    return encode(#"{"alg":"none","typ":"JWT"}"#) + "." + encode(payload) + ".sig"
}

@Suite("Key templates")
struct KeyTemplateTests {
    @Test("placeholders, literals and escaped braces")
    func basics() throws {
        let template = try KeyTemplate("user:{id}:{name:lower}:{flag}")
        #expect(try template.render(["id": 42, "name": "Ada", "flag": true]) == "user:42:ada:true")
        #expect(template.placeholderNames == ["id", "name", "flag"])
        #expect(!template.isLiteral)
        #expect(template.description == "user:{id}:{name:lower}:{flag}")

        let literal = try KeyTemplate("{{not}}:a:}}")
        #expect(literal.isLiteral)
        #expect(literal.placeholderNames.isEmpty)
        #expect(try literal.render() == "{not}:a:}")
        #expect(try KeyTemplate("").render() == "")
        #expect(try KeyTemplate("{{{id}}}").render(["id": 1]) == "{1}")
        #expect(try KeyTemplate("{a}{a}{b}").placeholderNames == ["a", "b"])
        #expect(try KeyTemplate("{a}{a}").render(["a": "x", "unused": 1]) == "xx")
        #expect(try KeyTemplate("{0}:{_x9}:{éa}").render(["0": 0, "_x9": 9, "éa": "é"]) == "0:9:é")
    }

    @Test(
        "type rules",
        arguments: [
            ("text" as any Sendable, "text"), (true, "true"), (false, "false"), (-42, "-42"),
            (Int8(-8), "-8"), (UInt64.max, "18446744073709551615"), (1.5, "1.5"), (1.0, "1.0"),
            (1e20, "1e+20"), (Float(0.25), "0.25"), (Double.nan, "nan"), (-Double.infinity, "-inf"),
            (Array("héllo".utf8), "héllo"), ([UInt8]([0xff, 0x00, 0x1a]), "ff001a"), (Data("hi".utf8), "hi"),
            (Data([0xc3]), "c3"), ([1, 2, 3], "1:2:3"), (["a", "b"], "a:b"), ([[1, 2], [3]], "1:2:3"),
            (Set([3, 1, 2]), "1:2:3"), (["b": 2, "a": 1], "a:1:b:2"), ([Int](), ""), (Int?.none, ""),
            (Int?.some(5), "5"), (String??.some(.some("deep")), "deep"), (String??.some(.none), ""),
            ([1, nil, 3] as [Int?], "1::3"), (KTBoom(), "KTBoom:it broke"), (KTUserID(raw: 7), "u7"),
            (KTPlain(), "plain!"), ("ab".dropFirst(), "b"), (Character("c"), "c"),
        ] as [(any Sendable, String)])
    func typeRules(value: any Sendable, expected: String) throws {
        #expect(KeyText.text(for: value) == expected)
        #expect(try KeyTemplate("{v}").render(["v": value]) == expected)
    }

    @Test(
        "formatters",
        arguments: [
            ("{v:lower}", "MiXeD Ü" as any Sendable, "mixed ü"), ("{v:upper}", "MiXeD ü", "MIXED Ü"),
            ("{v:len}", "héllo", "5"), ("{v:len}", "e\u{301}", "2"), ("{v:len}", 12345, "5"),
            ("{v:hash}", "hello", "5d41402abc4b2a76b9719d911017c592"),
            ("{v:hash()}", "hello", "5d41402abc4b2a76b9719d911017c592"),
            ("{v:hash(md5)}", "hello", "5d41402abc4b2a76b9719d911017c592"),
            ("{v:hash(sha1)}", "hello", "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"),
            ("{v:hash( SHA256 )}", "hello", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
            ("{v:hash(sha256)}", "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("{v:hash}", 42, "a1d0c6e83f027327d8461063f4ac58a6"),
        ] as [(String, any Sendable, String)])
    func formatters(template: String, value: any Sendable, expected: String) throws {
        #expect(try KeyTemplate(template).render(["v": value]) == expected)
    }

    @Test("jwt reads a claim of the payload")
    func jwtClaims() throws {
        let token = jwt(
            #"{"sub":"user-1","n":5,"admin":true,"ratio":0.5,"roles":["a","b"],"none":null,"obj":{"b":1,"a":"x"}}"#)
        let claims = ["sub": "user-1", "n": "5", "admin": "true", "ratio": "0.5", "roles": "a:b", "none": ""]
        for (claim, expected) in claims {
            #expect(try KeyTemplate("{t:jwt(\(claim))}").render(["t": token]) == expected)
        }
        #expect(try KeyTemplate("{t:jwt(obj)}").render(["t": token]) == #"{"a":"x","b":1}"#)

        let template = try KeyTemplate("s:{t:jwt(sub)}")
        for bad in ["not-a-jwt", "a.b", "a.!!!.c", jwt("[1]"), jwt("{\"x\":1}"), "a.b=.c"] {
            let error = #expect(throws: KeyTemplateError.self) { try template.render(["t": bad]) }
            guard case .formatterFailed(_, let column, let formatter, let reason)? = error else {
                Issue.record("unexpected \(String(describing: error))")
                continue
            }
            #expect(column == 6 && formatter == "jwt" && !reason.isEmpty)
        }
    }

    @Test("formatter arguments can be placeholders")
    func templatedArguments() throws {
        let template = try KeyTemplate("{k:hash({alg})}")
        #expect(template.placeholderNames == ["k", "alg"])
        #expect(try template.render(["k": "hello", "alg": "sha1"]) == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")
        #expect(
            try template.render(["k": "hello", "alg": "sha256"])
                == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(
            throws: KeyTemplateError.invalidFormatterArguments(
                template: "{k:hash({alg})}", column: 4, formatter: "hash",
                reason: "unknown algorithm \"sha512x\": use md5, sha1 or sha256")
        ) { try template.render(["k": "hello", "alg": "sha512x"]) }
        #expect(throws: KeyTemplateError.unknownPlaceholder(template: "{k:hash({alg})}", column: 9, name: "alg")) {
            try template.render(["k": "hello"])
        }
        let fields = try KeyTemplate("{t:jwt({claim[name]})}")
        #expect(try fields.render(["t": jwt(#"{"sub":"s"}"#), "claim": ["name": "sub"]]) == "s")
    }

    @Test("fields, elements and dictionary values")
    func fieldAccess() throws {
        let user = KTUser(name: "Ada", tags: ["x", "y", "z"], profile: KTProfile(city: "Paris"), nickname: nil)
        let values: [String: any Sendable] = [
            "user": user, "items": [10, 20, 30], "headers": ["host": "example.org"], "byID": [7: "seven"],
            "pair": (1, "two"), "word": "héllo", "dog": KTDog(), "account": KTAccount(id: 3, note: nil),
            "maybe": Optional(KTProfile(city: "Oslo")),
        ]
        let cases = [
            ("{user.name}", "Ada"), ("{user.profile.city:upper}", "PARIS"), ("{user.tags[1]}", "y"),
            ("{user.tags[-1]}", "z"), ("{items[0]}:{items[2]}", "10:30"), ("{headers[host]}", "example.org"),
            ("{byID[7]}", "seven"), ("{pair[1]}:{pair[0]}", "two:1"), ("{word[1]}", "é"), ("{dog.name}", "rex"),
            ("{dog.legs}", "4"), ("{account.id}:{account.computed}", "3:6"), ("{account.note}", ""),
            ("{user.nickname}", ""), ("{maybe.city}", "Oslo"), ("{user.tags}", "x:y:z"),
        ]
        for (text, expected) in cases {
            #expect(try KeyTemplate(text).render(values) == expected, "\(text)")
        }

        let failures: [(String, Int, String)] = [
            ("k:{user.nmae}", 8, "user.nmae"), ("{items[3]}", 7, "items[3]"), ("{items[x]}", 7, "items[x]"),
            ("{headers[port]}", 9, "headers[port]"), ("{account.missing}", 9, "account.missing"),
            ("{user.name[9]}", 11, "user.name[9]"), ("{user.nickname.x}", 15, "user.nickname.x"),
            ("{items.count}", 7, "items.count"), ("{dog[0]}", 5, "dog[0]"),
        ]
        for (text, column, path) in failures {
            let error = #expect(throws: KeyTemplateError.self, "\(text)") { try KeyTemplate(text).render(values) }
            guard case .invalidFieldAccess(let template, let actual, let actualPath, let reason)? = error else {
                Issue.record("\(text): unexpected \(String(describing: error))")
                continue
            }
            #expect(template == text && actual == column && actualPath == path && !reason.isEmpty, "\(text)")
        }
        let error = #expect(throws: KeyTemplateError.self) { try KeyTemplate("{user.nmae}").render(values) }
        #expect("\(error!)".contains("\"name\""), "the message lists the fields")
    }

    @Test(
        "parse errors name the column",
        arguments: [
            ("user:{id", KeyTemplateError.unclosedBrace(template: "user:{id", column: 6)),
            ("ü{x", .unclosedBrace(template: "ü{x", column: 2)),
            ("{a:hash(md5", .unclosedBrace(template: "{a:hash(md5", column: 1)),
            ("{a[0", .unclosedBrace(template: "{a[0", column: 1)),
            ("{", .unclosedBrace(template: "{", column: 1)),
            ("user:}", .strayClosingBrace(template: "user:}", column: 6)),
            ("a}b{c}", .strayClosingBrace(template: "a}b{c}", column: 2)),
            ("{}", .emptyPlaceholder(template: "{}", column: 1)),
            ("x{:lower}", .emptyPlaceholder(template: "x{:lower}", column: 2)),
        ])
    func parseErrors(text: String, expected: KeyTemplateError) {
        #expect(throws: expected) { try KeyTemplate(text) }
    }

    @Test(
        "malformed placeholders name the column",
        arguments: [
            ("{ id}", 2), ("{id }", 4), ("{a.}", 4), ("{a..b}", 4), ("{a[]}", 4), ("{a[0}", 5), ("{a[{b}]}", 4),
            ("{a:lower:upper}", 9), ("{a:hash(md5}", 12), ("{a:}", 4), ("{a:hash(md5)x}", 13),
            ("{a:hash({b:lower})}", 11), ("{a:f(x(y))}", 7), ("{a-b}", 3),
        ])
    func malformed(text: String, column: Int) {
        let error = #expect(throws: KeyTemplateError.self) { try KeyTemplate(text) }
        guard case .malformedPlaceholder(let template, let actual, let reason)? = error else {
            Issue.record("\(text): unexpected \(String(describing: error))")
            return
        }
        #expect(template == text && actual == column && !reason.isEmpty)
    }

    @Test(
        "unknown formatters and bad arguments are parse errors",
        arguments: [
            ("{id:nope}", 5, "nope"), ("x{id:hash(sha512x)}", 6, "hash"), ("{id:lower(x)}", 5, "lower"),
            ("{id:jwt}", 5, "jwt"), ("{id:jwt(a,b)}", 5, "jwt"), ("{id:hash(md5, sha1)}", 5, "hash"),
            ("{id:len()}", 5, ""),
        ])
    func formatterErrors(text: String, column: Int, name: String) throws {
        if name.isEmpty {
            #expect(try KeyTemplate(text).render(["id": "abc"]) == "3", "empty parentheses are no arguments")
            return
        }
        let error = #expect(throws: KeyTemplateError.self) { try KeyTemplate(text) }
        switch error {
        case .unknownFormatter(_, let actual, let formatter, let known)?:
            #expect(actual == column && formatter == name && known.contains("hash"))
        case .invalidFormatterArguments(_, let actual, let formatter, _)?:
            #expect(actual == column && formatter == name)
        default:
            Issue.record("\(text): unexpected \(String(describing: error))")
        }
    }

    @Test("a placeholder without a value is an error, not an empty string")
    func unknownPlaceholder() throws {
        #expect(throws: KeyTemplateError.unknownPlaceholder(template: "a:{id}:{b}", column: 8, name: "b")) {
            try KeyTemplate("a:{id}:{b}").render(["id": 1])
        }
    }

    @Test("error descriptions quote the template and say what to do")
    func descriptions() {
        let errors: [KeyTemplateError] = [
            .unclosedBrace(template: "a{b", column: 2), .strayClosingBrace(template: "}", column: 1),
            .emptyPlaceholder(template: "{}", column: 1),
            .malformedPlaceholder(template: "{ a}", column: 2, reason: "r"),
            .unknownFormatter(template: "{a:x}", column: 4, name: "x", known: ["lower", "hash"]),
            .invalidFormatterArguments(template: "{a:hash(x)}", column: 4, formatter: "hash", reason: "r"),
            .unknownPlaceholder(template: "{a}", column: 1, name: "a"),
            .invalidFieldAccess(template: "{a.b}", column: 3, path: "a.b", reason: "r"),
            .formatterFailed(template: "{a:jwt(s)}", column: 4, formatter: "jwt", reason: "r"),
        ]
        for error in errors {
            #expect("\(error)".contains("at column \(error.column) of \"\(error.template)\""), "\(error)")
        }
        #expect("\(errors[0])".contains("\"{{\""))
        #expect("\(errors[4])".contains("hash, lower"))
        #expect("\(errors[6])".contains("KeyContext"))
    }

    @Test("context values fill placeholders the arguments do not")
    func context() async throws {
        let template = try KeyTemplate("c:{client}:u:{id}")
        #expect(throws: KeyTemplateError.self) { try template.render(["id": 1]) }
        try KeyContext.withValues(["client": 7, "id": 99]) { () throws in
            #expect(try template.render(["id": 1]) == "c:7:u:1", "arguments win")
            #expect(try template.render() == "c:7:u:99")
            try KeyContext.withValues(["client": "inner"]) { () throws in
                #expect(try template.render(["id": 2]) == "c:inner:u:2")
                #expect(KeyContext.values.count == 2)
            }
            #expect(try template.render(["id": 3]) == "c:7:u:3")
        }
        #expect(KeyContext.values.isEmpty)
        let key = try await KeyContext.withValues(["client": "async"]) {
            await Task.yield()
            async let child = Task { try template.render(["id": 4]) }.value
            return try await child
        }
        #expect(key == "c:async:u:4")
    }

    @Test("custom formatters, per registry")
    func customFormatters() throws {
        let formatters = KeyFormatters()
        formatters.register("prefix") { text, arguments in String(text.prefix(Int(arguments.first ?? "") ?? 2)) }
        formatters.register("fail") { _, _ in throw KTBoom() }
        formatters.register("lower") { text, _ in "custom-\(text)" }
        #expect(formatters.names.contains("prefix") && formatters.names.contains("hash"))
        #expect(try KeyTemplate("{t:prefix(3)}", formatters: formatters).render(["t": "abcdef"]) == "abc")
        #expect(try KeyTemplate("{t:prefix}", formatters: formatters).render(["t": "abcdef"]) == "ab")
        #expect(try KeyTemplate("{t:lower}", formatters: formatters).render(["t": "X"]) == "custom-X")
        #expect(
            throws: KeyTemplateError.formatterFailed(
                template: "{t:fail}", column: 4, formatter: "fail", reason: "it broke")
        ) { try KeyTemplate("{t:fail}", formatters: formatters).render(["t": 1]) }
        #expect(throws: KeyTemplateError.self) { try KeyTemplate("{t:prefix}") }

        let name = "test_standard_\(UInt32.random(in: 0...UInt32.max))"
        KeyFormatters.standard.register(name) { text, _ in String(text.reversed()) }
        #expect(try KeyTemplate("{t:\(name)}").render(["t": "abc"]) == "cba")
    }

    @Test("templates are equal when parsed from the same text with the same registry")
    func equality() throws {
        let other = KeyFormatters()
        #expect(try KeyTemplate("a:{b}") == KeyTemplate("a:{b}"))
        #expect(try KeyTemplate("a:{b}") != KeyTemplate("a:{c}"))
        #expect(try KeyTemplate("a:{b}") != KeyTemplate("a:{b}", formatters: other))
        #expect(try Set([KeyTemplate("x"), KeyTemplate("x"), KeyTemplate("y")]).count == 2)
    }
}

@Suite("Key templates: rendering a literal")
struct KeyTemplateLiteralTests {
    @Test("a literal renders as the same values in a dictionary do, context and formatters included")
    func literalMatchesDictionary() throws {
        let template = try KeyTemplate("user:{id}:{name:lower}:{flag}:{region}")
        let dictionary: [String: any Sendable] = ["id": 42, "name": "Ada", "flag": true]
        let fromLiteral = try KeyContext.withValues(["region": "eu"]) {
            try template.render(["id": 42, "name": "Ada", "flag": true])
        }
        let fromDictionary = try KeyContext.withValues(["region": "eu"]) { try template.render(dictionary) }
        #expect(fromLiteral == "user:42:ada:true:eu")
        #expect(fromLiteral == fromDictionary)
    }

    @Test("a literal missing a placeholder's value throws as the dictionary form does")
    func literalMissingValue() throws {
        let template = try KeyTemplate("user:{id}:{name}")
        #expect(throws: KeyTemplateError.self) { try template.render(["id": 1]) }
        #expect(throws: KeyTemplateError.self) { try template.render(["id": 1] as [String: any Sendable]) }
    }
}
