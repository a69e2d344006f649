/// The tags a strategy gives the outcomes it stores, rendered only when one is stored (a hit
/// renders nothing).
@usableFromInline
enum StrategyTags: Sendable {
    /// Tags as written.
    case texts([String])
    /// Templates filled with the values that filled the key template.
    case templates([KeyTemplate], values: [String: any Sendable])
    /// Templates filled with a memoized function's arguments, bound to the key template's
    /// placeholder names in order.
    case positional([KeyTemplate], names: [String], values: [any Sendable])

    /// No tags.
    @usableFromInline static let none = StrategyTags.texts([])

    /// The tags' text.
    ///
    /// - Throws: ``KeyTemplateError`` when a template has a placeholder without a value.
    func rendered() throws -> [String] {
        switch self {
        case .texts(let texts):
            return texts
        case .templates(let templates, let values):
            return try templates.map { template throws(KeyTemplateError) in try template.render(values) }
        case .positional(let templates, let names, let values):
            guard !templates.isEmpty else { return [] }
            var named: [String: any Sendable] = [:]
            for (name, value) in zip(names, values) { named[name] = value }
            return try templates.map { template throws(KeyTemplateError) in try template.render(named) }
        }
    }
}
