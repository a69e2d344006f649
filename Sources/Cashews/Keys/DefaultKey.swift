// TEMPORARY stub: the keys branch replaces this file with the real DefaultKey at merge.

/// Builds the default cache key of a call from where it is made and its arguments.
public enum DefaultKey {
    /// A key naming the call site (`fileID`, `function`, `type`) and the arguments, in order.
    public static func make(
        fileID: String = #fileID, function: String = #function, type: Any.Type? = nil, arguments: [any Sendable]
    ) -> String {
        let owner = type.map { "\(String(reflecting: $0))." } ?? ""
        let values = arguments.map { "\($0)" }.joined(separator: ":")
        return "\(fileID):\(owner)\(function)" + (values.isEmpty ? "" : ":\(values)")
    }
}
