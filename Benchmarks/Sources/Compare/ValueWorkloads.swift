import Cashews
import Foundation

/// The codec workloads: round trips (encode, then decode) of a small record through the default
/// codec's binary form, its JSON form, and Foundation's JSONEncoder/JSONDecoder directly.
enum ValueWorkloads {
    struct Record: Codable, Equatable {
        var id: Int
        var name: String
        var email: String
        var active: Bool
        var score: Double
        var tags: [String]
    }

    static func run(workload: String, rounds: Int) throws -> Int {
        let record = Record(
            id: 42, name: "Ada Lovelace", email: "ada@example.com", active: true, score: 97.5, tags: ["admin", "math"])
        var sink = 0
        switch workload {
        case "codec-binary", "codec-json":
            let codec = StandardCodec(structuredForm: workload == "codec-binary" ? .binary : .json)
            return try measure(workload) {
                for _ in 0..<rounds {
                    let bytes = try codec.encode(record, forKey: "record")
                    sink &+= try codec.decode(Record.self, from: bytes, forKey: "record").id
                }
                return rounds
            }.withSink(sink)
        case "foundation-json":
            let encoder = JSONEncoder()
            let decoder = JSONDecoder()
            return try measure(workload) {
                for _ in 0..<rounds {
                    let data = try encoder.encode(record)
                    sink &+= try decoder.decode(Record.self, from: data).id
                }
                return rounds
            }.withSink(sink)
        default:
            throw CompareError.unknownWorkload(workload)
        }
    }
}
