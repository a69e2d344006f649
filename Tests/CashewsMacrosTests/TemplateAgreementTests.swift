import Cashews
import Testing

@testable import CashewsMacrosPlugin

/// The plugin repeats the template grammar of Cashews' parser (it cannot import Cashews): both
/// parse one table of templates, and must agree on the names they read, or on the error and its
/// column.
@Suite("Key templates: the macros' parser agrees with KeyTemplate")
struct TemplateAgreementTests {
    static let templates = [
        "", "plain", "user:{id}", "{a}{b}{a}", "user:{id}:{lang:lower}", "{user.name}", "{items[0]}", "{items[-1]}",
        "{headers[host]}", "{token:hash(sha256)}", "{token:hash}", "{token:hash(md5)}", "{token:jwt(sub)}",
        "{name:upper}", "{name:len}", "{token:hash({algorithm})}", "{a.b.c[2].d}", "{{literal}}", "a{{b}}c{d}",
        "{é}", "{x_1}", "{x:hash( sha1 )}", "{x:hash(sha1, md5)}", "{x:hash(sha999)}", "{x:lower(1)}", "{x:jwt()}",
        "{x:jwt}", "{x:shout}", "user:{id", "user:id}", "{}", "{:lower}", "{ id}", "{id.}", "{id[]}", "{id[0}",
        "{id:}", "{id:lower:upper}", "{id:hash(a}", "{id:hash(a;b)}", "{id:hash({a:lower})}", "{id!}", "{{{id}}}",
        "}}{{", "{a}}", "{{a}", "{id:hash(a)", "{id.name:lower}", "{items[0]:upper}",
    ]

    @Test("the same names, or the same error at the same column", arguments: templates)
    func agreement(template text: String) {
        let core: Result<[String], KeyTemplateError> = Result { () throws(KeyTemplateError) in
            try KeyTemplate(text).placeholderNames
        }
        let plugin: Result<[String], KeyTemplateSyntaxError> = Result { () throws(KeyTemplateSyntaxError) in
            try KeyTemplateSyntaxParser.parse(text).names
        }
        switch (core, plugin) {
        case (.success(let names), .success(let pluginNames)):
            #expect(names == pluginNames, "\(text)")
        case (.failure(let error), .failure(let pluginError)):
            #expect(Self.kind(of: error) == pluginError.kind.rawValue, "\(text): \(error) vs \(pluginError.message)")
            #expect(error.column == pluginError.column, "\(text): \(error) vs \(pluginError.message)")
        default:
            Issue.record("\(text): KeyTemplate gives \(core), the plugin \(plugin)")
        }
    }

    @Test("the macros render bare placeholders as KeyText does: plain interpolation only for scalar types")
    func plainTextTypes() {
        #expect(KeyText.text(for: 42) == "\(42)")
        #expect(KeyText.text(for: -1.5) == "\(-1.5)")
        #expect(KeyText.text(for: true) == "\(true)")
        #expect(KeyText.text(for: "a:b") == "a:b")
        #expect(KeyText.text(for: Character("x")) == "x")
        #expect(KeyText.text(for: UInt8(7)) == "\(UInt8(7))")
        #expect(KeyText.text(for: Float(0.25)) == "\(Float(0.25))")
        #expect(KeyText.text(for: [1, 2]) != "\([1, 2])", "collections go through KeyText")
    }

    static func kind(of error: KeyTemplateError) -> String {
        switch error {
        case .unclosedBrace: "unclosedBrace"
        case .strayClosingBrace: "strayClosingBrace"
        case .emptyPlaceholder: "emptyPlaceholder"
        case .malformedPlaceholder: "malformedPlaceholder"
        case .unknownFormatter: "unknownFormatter"
        case .invalidFormatterArguments: "invalidFormatterArguments"
        case .unknownPlaceholder: "unknownPlaceholder"
        case .invalidFieldAccess: "invalidFieldAccess"
        case .formatterFailed: "formatterFailed"
        case .tooManyValues: "tooManyValues"
        }
    }
}
