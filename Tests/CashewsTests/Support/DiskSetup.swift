import Cashews
import CashewsDisk

extension Cache {
    /// `setup(_:prefix:)` with `disk://` registered first: tests run in any order, and each one
    /// that sets up a disk backend by URL registers it (registering again is harmless).
    @discardableResult
    func setupDisk(_ url: String, prefix: String = "") throws -> any Backend {
        Cache.register(.disk)
        return try setup(url, prefix: prefix)
    }
}
