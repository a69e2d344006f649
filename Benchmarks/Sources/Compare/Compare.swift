// The Swift side of `make bench-compare`: runs one workload and prints
// "<workload> <ops> <seconds> <ops/s>", the same line as the C anchor (Compare/raw_lmdb.c).
//
//   Compare <engine> <dir> <workload> <keys> <value-bytes> <sync|nosync>
//   engines: values (codec round trips: codec-binary, codec-json, foundation-json; <keys> = rounds),
//   front (the Cache facade: mem-get, disk-get, cached-hit; dict-get baseline; mem-get-middleware, mem-get-scope, mem-get-transaction: with a control in force), diskcache (the DiskCache engine), keys (render, default-key: <keys> iterations), lmdb (the Swift LMDB wrapper), size (limits and blobs:
//   set-evicting, churn (keys = size limit in bytes), blob-set, blob-get, file-write, file-read),
//   scaling (get, set, set-evicting, sweep: a fixed number of operations on a cache of <keys> entries),
//   hitratio (<dir> = a decompressed trace, <workload> = an eviction policy or "memory", <keys> = pages)
import Foundation

enum CompareError: Error {
    case unknownWorkload(String)
    case unknownEngine(String)
}

/// Times `body`, which returns how many operations it did, and prints the result line.
func measure(_ workload: String, _ body: () throws -> Int) throws -> Int {
    let clock = ContinuousClock()
    let start = clock.now
    let ops = try body()
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(String(format: "%@ %d %.6f %.0f", workload, ops, seconds, Double(ops) / seconds))
    return ops
}

/// Times the async `body`, which does `operations` operations, and prints the result line.
func measureAsync(_ workload: String, operations: Int, _ body: () async throws -> Void) async rethrows {
    let clock = ContinuousClock()
    let start = clock.now
    try await body()
    let elapsed = clock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    print(String(format: "%@ %d %.6f %.0f", workload, operations, seconds, Double(operations) / seconds))
}

@main
struct Compare {
    static func main() async throws {
        let args = CommandLine.arguments
        guard args.count == 7, let keys = Int(args[4]), let valueSize = Int(args[5]) else {
            FileHandle.standardError.write(
                Data("usage: Compare <engine> <dir> <workload> <keys> <value-bytes> <sync|nosync>\n".utf8))
            exit(2)
        }
        let sync = args[6] == "sync"
        switch args[1] {
        case "diskcache" where ReadWorkloads2.handles(args[3]):  // get-hit-threads<N>, get-hit-shared
            _ = try ReadWorkloads2.run(
                directory: args[2], workload: args[3], keys: keys, valueSize: valueSize, sync: sync)
        case "diskcache" where WriteWorkloads2.handles(args[3]):
            try WriteWorkloads2.run(directory: args[2], workload: args[3], keys: keys, valueSize: valueSize, sync: sync)
        case "diskcache":
            _ = try DiskCacheWorkloads.run(
                directory: args[2], workload: args[3], keys: keys, valueSize: valueSize, sync: sync)
        case "size":
            switch args[3] {
            case "set-evicting": _ = try SizeWorkloads.setEvicting(directory: args[2], keys: keys, valueSize: valueSize)
            case "churn": _ = try SizeWorkloads.churn(directory: args[2], limit: keys)
            default: _ = try SizeWorkloads.large(directory: args[2], workload: args[3], size: valueSize)
            }
        case "front" where FrontWorkloads2.names.contains(args[3]):
            _ = try await FrontWorkloads2.run(directory: args[2], workload: args[3], keys: keys, valueSize: valueSize)
        case "front":
            _ = try await FrontWorkloads.run(directory: args[2], workload: args[3], keys: keys, valueSize: valueSize)
        case "scaling":  // Compare scaling <dir> <get|set|set-evicting|sweep> <entries> <value-bytes> <sync>
            _ = try ScalingWorkloads.run(
                directory: args[2], workload: args[3], entries: keys, valueSize: valueSize, sync: sync)
        case "values":
            _ = try ValueWorkloads.run(workload: args[3], rounds: keys)
        case "keys":
            _ = try KeyWorkloads.run(workload: args[3], count: keys)
        case "hitratio":  // Compare hitratio <trace.lis> <policy> <pages> 0 nosync
            try await HitRatioWorkloads.run(trace: args[2], policy: args[3], pages: keys)
        case "lmdb":
            _ = try LMDBWorkloads.run(
                directory: args[2], workload: args[3], keys: keys, valueSize: valueSize, sync: sync)
        default:
            throw CompareError.unknownEngine(args[1])
        }
    }
}
