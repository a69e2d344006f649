// Fuzzes decoding of stored bytes: arbitrary bytes read as every kind of type the front reads
// (bytes, strings, integers, booleans, Codable structs) give a value or a typed error, never a
// crash; and whatever decodes re-encodes to bytes that decode to the same value.
import Cashews
import Foundation

struct Sample: Codable, Equatable {
    var id: Int
    var name: String
    var tags: [String]
    var score: Double?
}

func roundTrip<T: Codable & Equatable>(_ bytes: [UInt8], as type: T.Type) {
    do {
        let value = try ValueCodec.decode(bytes, as: type, key: "fuzz")
        let again = try ValueCodec.decode(try ValueCodec.encode(value, key: "fuzz"), as: type, key: "fuzz")
        if let double = value as? Sample, double.score?.isNaN == true { return }  // NaN != NaN
        precondition(again == value, "\(T.self) round trip changed \(value) into \(again)")
    } catch is CashewsError {
    } catch {
        preconditionFailure("untyped error \(error)")
    }
}

/// The libFuzzer entry point: runs one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCodec(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    roundTrip(bytes, as: [UInt8].self)
    roundTrip(bytes, as: String.self)
    roundTrip(bytes, as: Int.self)
    roundTrip(bytes, as: UInt8.self)
    roundTrip(bytes, as: Int64.self)
    roundTrip(bytes, as: Bool.self)
    roundTrip(bytes, as: Sample.self)
    roundTrip(bytes, as: [String: Int].self)
    return 0
}
