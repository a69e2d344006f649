extension ValueFormat {
    /// The setup URL parameters of a value format, taken by every scheme.
    static let urlParameters = [
        "secret", "digestmod", "previous_secrets", "compress", "compress_level", "compress_min_size",
    ]

    /// The value format a setup URL asks for (the standard one when it names none).
    init(url: BackendURL) throws {
        var signing: ValueSigning?
        if let secret = url.string("secret") {
            guard !secret.isEmpty else {
                throw CashewsError.invalidParameter("secret", value: "", expected: "a non-empty secret string")
            }
            let digestName = url.string("digestmod")?.lowercased() ?? "sha256"
            guard let digest = ValueSigning.Digest(rawValue: digestName) else {
                throw CashewsError.invalidParameter(
                    "digestmod", value: digestName,
                    expected: ValueSigning.Digest.allCases.map(\.rawValue).joined(separator: ", "))
            }
            let previous =
                url.string("previous_secrets").map {
                    $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                } ?? []
            signing = try ValueSigning(secret: secret, digest: digest, previousSecrets: previous)
        } else {
            for name in ["digestmod", "previous_secrets"] where url.string(name) != nil {
                throw CashewsError.invalidParameter(
                    name, value: url.string(name) ?? "", expected: "to come with secret=… (it has no effect alone)")
            }
        }
        var compression: ValueCompression?
        if let name = url.string("compress") {
            guard let container = ValueCompression.Container(rawValue: name.lowercased()) else {
                throw CashewsError.invalidParameter("compress", value: name, expected: "zlib or gzip")
            }
            let level = try url.integer("compress_level", in: 1...9) ?? 6
            let minimumSize = try url.byteSize("compress_min_size") ?? 1024
            compression = ValueCompression(container, level: level, minimumSize: minimumSize)
        } else {
            for name in ["compress_level", "compress_min_size"] where url.string(name) != nil {
                throw CashewsError.invalidParameter(
                    name, value: url.string(name) ?? "", expected: "to come with compress=zlib or compress=gzip")
            }
        }
        self.init(compression: compression, signing: signing)
    }
}
