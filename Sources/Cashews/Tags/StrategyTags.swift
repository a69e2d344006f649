/// The tags a strategy gives the outcomes it stores, rendered only when one is stored (a hit
/// renders nothing).
@usableFromInline
enum StrategyTags: Sendable {
    /// Tags as written.
    case texts([String])
    /// Templates filled with the values that filled the key template (for a memoized function,
    /// its arguments by name).
    case templates([KeyTemplate], values: [String: any Sendable])

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
        }
    }
}
