import Cashews

/// The key workloads: rendering a parsed key template, and building a default key.
///
///   Compare keys - render <count> 0 nosync          "user:{id}:{name:lower}:{flag}" (Int, String, Bool)
///   Compare keys - render-positional <count> 0 nosync  the same through render(positional:)
///   Compare keys - render-prebuilt <count> 0 nosync the same, with the values built once
///   Compare keys - values-only <count> 0 nosync     building the values alone
///   Compare keys - default-key <count> 0 nosync     DefaultKey.make with the same three arguments
enum KeyWorkloads {
    static func run(workload: String, count: Int) throws -> Int {
        let names = ["Ada", "Grace", "Linus", "Barbara"]
        var sink = 0
        switch workload {
        case "render":
            let template = try KeyTemplate("user:{id}:{name:lower}:{flag}")
            return try measure(workload) {
                for index in 0..<count {
                    let key = try template.render(["id": index, "name": names[index & 3], "flag": index & 1 == 0])
                    sink &+= key.utf8.count
                }
                return count
            }.withSink(sink)
        case "render-positional":
            let template = try KeyTemplate("user:{id}:{name:lower}:{flag}")
            return try measure(workload) {
                for index in 0..<count {
                    let key = try template.render(positional: [index, names[index & 3], index & 1 == 0])
                    sink &+= key.utf8.count
                }
                return count
            }.withSink(sink)
        case "render-prebuilt":
            // The rendering alone: the values are built once.
            let template = try KeyTemplate("user:{id}:{name:lower}:{flag}")
            let values: [String: any Sendable] = ["id": 42, "name": "Ada", "flag": true]
            return try measure(workload) {
                for _ in 0..<count { sink &+= try template.render(values).utf8.count }
                return count
            }.withSink(sink)
        case "values-only":
            // Building the values alone, as a call site does.
            return try measure(workload) {
                for index in 0..<count {
                    let values: [String: any Sendable] = [
                        "id": index, "name": names[index & 3], "flag": index & 1 == 0,
                    ]
                    sink &+= values.count
                }
                return count
            }.withSink(sink)
        case "default-key":
            return try measure(workload) {
                for index in 0..<count {
                    let key = DefaultKey.make(
                        function: "user(id:name:flag:)", arguments: [index, names[index & 3], index & 1 == 0])
                    sink &+= key.utf8.count
                }
                return count
            }.withSink(sink)
        default:
            throw CompareError.unknownWorkload(workload)
        }
    }
}
