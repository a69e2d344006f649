// Fuzzes reading stored frames: arbitrary bytes read through signed, compressed, and signed and
// compressed formats give a value, a miss (unsigned) or a typed error, never a crash; and any
// value written through a format reads back the same, only under its own key.
import Cashews
import Foundation

struct Sample: Codable, Equatable {
    var id: Int
    var name: String
    var tags: [String]
}

let formats: [ValueFormat] = [
    ValueFormat(signing: try! ValueSigning(secret: "fuzz")),
    ValueFormat(compression: ValueCompression(.zlib, minimumSize: 0)),
    ValueFormat(
        compression: ValueCompression(.gzip, level: 1, minimumSize: 8),
        signing: try! ValueSigning(secret: "fuzz", digest: .sha1, previousSecrets: ["old"])),
]

func read<T: Decodable>(_ bytes: [UInt8], as type: T.Type, through format: ValueFormat) {
    do {
        _ = try format.decode(type, from: bytes, forKey: "fuzz")
    } catch is CashewsError {
    } catch {
        preconditionFailure("untyped error \(error)")
    }
}

/// The libFuzzer entry point: runs one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValueFormat(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for format in formats {
        read(bytes, as: [UInt8].self, through: format)
        read(bytes, as: String.self, through: format)
        read(bytes, as: Int.self, through: format)
        read(bytes, as: Sample.self, through: format)
        // The input as a value: it round-trips under its key and never verifies under another.
        let text = String(decoding: bytes, as: UTF8.self)
        let sample = Sample(id: size, name: text, tags: [text, ""])
        do {
            let stored = try format.encode(sample, forKey: "k")
            let decoded = try format.decode(Sample.self, from: stored, forKey: "k")
            precondition(decoded == sample, "round trip changed")
            if format.signing != nil {
                do {
                    _ = try format.decode(Sample.self, from: stored, forKey: "k2")
                    preconditionFailure("a signed value verified under another key")
                } catch CashewsError.badSignature {}
            }
            let raw = try format.encode(bytes, forKey: "k")
            let decodedBytes = try format.decode([UInt8].self, from: raw, forKey: "k")
            precondition(decodedBytes == bytes, "bytes changed")
        } catch {
            preconditionFailure("writing failed: \(error)")
        }
    }
    return 0
}
