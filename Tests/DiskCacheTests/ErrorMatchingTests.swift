import LMDB
import Testing

@testable import DiskCache

@Suite("DiskCache errors: matching LMDB codes")
struct ErrorMatchingTests {
    @Test("catch LMDBError.Code.mapFull matches a storage error of that code, and nothing else")
    func storageErrorMatchesItsCode() {
        func outcome(_ error: any Error) -> String {
            do {
                throw error
            } catch LMDBError.Code.notFound {
                return "notFound"
            } catch LMDBError.Code.mapFull {
                return "mapFull"
            } catch {
                return "other"
            }
        }
        #expect(outcome(DiskCacheError.storage(LMDBError(code: .mapFull, operation: "mdb_put"))) == "mapFull")
        #expect(outcome(LMDBError(code: .mapFull, operation: "mdb_put")) == "mapFull")
        #expect(outcome(DiskCacheError.emptyKey) == "other")
        #expect(outcome(DiskCacheError.storage(LMDBError(code: .panic, operation: "mdb_txn_begin"))) == "other")
    }
}
