import Cashews
import CashewsDisk
import TestSupport
import Testing

@Suite("Backend errors: kinds match in catch clauses")
struct BackendErrorTests {
    @Test("catch BackendError.Kind.notAnInteger, from the memory and the disk backend alike")
    func kindsMatch() async throws {
        try await withTemporaryPath(create: false) { directory in
            let backends: [any Backend] = [MemoryBackend(), try DiskBackend(directory: directory)]
            for backend in backends {
                _ = try await backend.set("text", .bytes(Array("abc".utf8)), expiry: .never, condition: .always)
                var matched = "none"
                do {
                    _ = try await backend.increment("text", by: 1, expiry: .never)
                } catch BackendError.Kind.storage {
                    matched = "storage"
                } catch BackendError.Kind.notAnInteger {
                    matched = "notAnInteger"
                }
                #expect(matched == "notAnInteger", "\(type(of: backend))")
            }
        }
    }
}
