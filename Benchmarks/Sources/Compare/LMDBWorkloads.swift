import LMDB

/// The raw-LMDB workloads, run through the Swift wrapper (`LMDB` module).
enum LMDBWorkloads {
    static func run(directory: String, workload: String, keys: Int, valueSize: Int, sync: Bool) throws -> Int {
        let env = try Environment(
            path: directory, options: .init(mapSize: 1 << 36, flags: sync ? [] : .noSync))
        let db = try env.database(named: "data", flags: .create)
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueSize)
        var key = KeyFormatter(prefix: "key-")
        if workload != "set" && workload != "set-batch" {
            try env.write { txn in
                for i in 0..<keys {
                    key.set(UInt32(i))
                    try txn.put(value, forKey: key.bytes, in: db)
                }
            }
        }
        var sink = 0
        var random = XorShift()
        return try measure(workload) {
            switch workload {
            case "get-hit", "get-miss":
                if workload == "get-miss" { key = KeyFormatter(prefix: "nokey-") }
                for _ in 0..<keys * 3 {
                    key.set(random.next() % UInt32(keys))
                    sink &+= try env.read { txn in
                        try txn.withValue(forKey: key.bytes, in: db) { $0.count &+ Int($0[0]) } ?? 0
                    }
                }
                return keys * 3
            case "set":
                for i in 0..<keys {
                    key.set(UInt32(i))
                    try env.write { txn in try txn.put(value, forKey: key.bytes, in: db) }
                }
            case "set-batch":
                for start in stride(from: 0, to: keys, by: 1000) {
                    try env.write { txn in
                        for i in start..<min(start + 1000, keys) {
                            key.set(UInt32(i))
                            try txn.put(value, forKey: key.bytes, in: db)
                        }
                    }
                }
            case "delete":
                for i in 0..<keys {
                    key.set(UInt32(i))
                    try env.write { txn in _ = try txn.delete(forKey: key.bytes, in: db) }
                }
            default:
                throw CompareError.unknownWorkload(workload)
            }
            return keys
        }
        .withSink(sink)
    }
}

extension Int {
    /// Keeps `sink` alive so the optimiser cannot drop the reads.
    func withSink(_ sink: Int) -> Int {
        if sink == .min { print("") }
        return self
    }
}
