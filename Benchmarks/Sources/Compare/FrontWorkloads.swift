import Cashews
import CashewsDisk
import Foundation
import Synchronization

/// The facade workloads: gets through the `Cache` front on each backend, and the baseline of a
/// mutex-guarded Swift dictionary.
enum FrontWorkloads {
    static func run(directory: String, workload: String, keys: Int, valueSize: Int) async throws -> Int {
        let value = [UInt8](repeating: UInt8(ascii: "v"), count: valueSize)
        var key = KeyFormatter(prefix: "key-")
        let names = (0..<keys).map { index -> String in
            key.set(UInt32(index))
            return key.string
        }
        var random = XorShift()
        let rounds = Int(ProcessInfo.processInfo.environment["COMPARE_ROUNDS"] ?? "3") ?? 3
        let order = (0..<keys * rounds).map { _ in Int(random.next() % UInt32(keys)) }
        var sink = 0
        switch workload {
        case "dict-get":
            let table = Mutex<[String: [UInt8]]>([:])
            table.withLock { table in for name in names { table[name] = value } }
            return try measure(workload) {
                for index in order { sink &+= table.withLock { $0[names[index]]?.count ?? 0 } }
                return order.count
            }.withSink(sink)
        case "mem-backend-get":
            // The memory backend without the front, to see what the front adds.
            let backend = MemoryBackend(configuration: .init(maxEntries: nil))
            for name in names { _ = try await backend.set(name, .object(value), expiry: .never, condition: .always) }
            try await measureAsync(workload, operations: order.count) {
                for index in order {
                    if case .object(let object)? = try await backend.get(names[index]) {
                        sink &+= (object as! [UInt8]).count
                    }
                }
            }
            return order.count.withSink(sink)
        case "mem-get", "disk-get":
            let cache = Cache()
            if workload == "mem-get" {
                cache.setup(MemoryBackend(configuration: .init(maxEntries: nil)))
            } else {
                Cache.register(.disk)
                try cache.setup("disk://\(directory)?durability=none&size_limit=none")
            }
            for start in stride(from: 0, to: keys, by: 10_000) {
                let batch = Dictionary(
                    uniqueKeysWithValues: names[start..<min(start + 10_000, keys)].map { ($0, value) })
                try await cache.set(batch)
            }
            try await measureAsync(workload, operations: order.count) {
                for index in order { sink &+= try await cache.get(names[index], as: [UInt8].self)?.count ?? 0 }
            }
            return order.count.withSink(sink)
        case "mem-get-middleware", "mem-get-scope", "mem-get-transaction":
            // The hit path with a control in force (issue 15): a middleware that passes every
            // command on, a disabling scope of another command, or an open transaction.
            let cache = Cache()
            cache.setup(MemoryBackend(configuration: .init(maxEntries: nil)))
            try await cache.set(Dictionary(uniqueKeysWithValues: names.map { ($0, value) }))
            if workload == "mem-get-middleware" { cache.use(PassingMiddleware()) }
            let read = {
                for index in order { sink &+= try await cache.get(names[index], as: [UInt8].self)?.count ?? 0 }
            }
            try await measureAsync(workload, operations: order.count) {
                switch workload {
                case "mem-get-scope": try await cache.disabling(.ping) { try await read() }
                case "mem-get-transaction": try await cache.transaction(mode: .fast) { _ in try await read() }
                default: try await read()
                }
            }
            return order.count.withSink(sink)
        case "cached-hit":
            // The hit path of the `cached` strategy on the memory backend, as cashews' `@cache` hit.
            let cache = Cache()
            cache.setup(MemoryBackend(configuration: .init(maxEntries: nil)))
            for name in names { _ = try await cache.cached(key: name, ttl: "1h") { value } }
            try await measureAsync(workload, operations: order.count) {
                for index in order { sink &+= try await cache.cached(key: names[index], ttl: "1h") { value }.count }
            }
            return order.count.withSink(sink)
        case "cached-hit-keyed", "memoize-hit":
            // As cashews' @cache, the key is built from the argument on every call: by string
            // interpolation, or by a memoized function with a key template.
            let cache = Cache()
            cache.setup(MemoryBackend(configuration: .init(maxEntries: nil)))
            let load = cache.memoize(key: try KeyTemplate("load:{index}"), ttl: "1h") { (_: Int) in value }
            let keyed = workload == "cached-hit-keyed"
            for index in 0..<keys {
                if keyed {
                    _ = try await cache.cached(key: "load:\(index)", ttl: "1h") { value }
                } else {
                    _ = try await load(index)
                }
            }
            try await measureAsync(workload, operations: order.count) {
                if keyed {
                    for index in order {
                        sink &+= try await cache.cached(key: "load:\(index)", ttl: "1h") { value }.count
                    }
                } else {
                    for index in order { sink &+= try await load(index).count }
                }
            }
            return order.count.withSink(sink)
        case "isolation":
            return try await IsolationWorkloads.run(names: names, order: order, value: value)
        default:
            throw CompareError.unknownWorkload(workload)
        }
    }
}

/// A middleware that passes every command on unchanged: the cost of the pipeline itself.
struct PassingMiddleware: CacheMiddleware {
    nonisolated(nonsending) func handle(
        _ request: CacheRequest, context: MiddlewareContext, next: (CacheRequest) async throws -> CacheResponse
    ) async throws -> CacheResponse {
        try await next(request)
    }
}
