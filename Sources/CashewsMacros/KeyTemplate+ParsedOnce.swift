import Synchronization

extension KeyTemplate {
    /// The parsed template of `text`, parsed on first use and kept: the key of a decorated
    /// function whose template reads fields or applies formatters (`"user:{user.id}:{lang:lower}"`)
    /// renders through it. The macro checked the text at compile time, so parsing does not fail
    /// unless a formatter registered at run time is missing.
    ///
    /// - Throws: ``KeyTemplateError`` when the text does not parse.
    public static func parsedOnce(_ text: String) throws(KeyTemplateError) -> KeyTemplate {
        if let template = parsedTemplates.withLock({ $0[text] }) { return template }
        let template = try KeyTemplate(text)
        parsedTemplates.withLock { $0[text] = template }
        return template
    }
}

/// The templates of decorated functions, by text (one entry per template in the program).
private let parsedTemplates = Mutex<[String: KeyTemplate]>([:])
