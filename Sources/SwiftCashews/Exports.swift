// One import for the whole toolkit, as NIO's umbrella module re-exports its parts: the facade
// (Cache, strategies, the memory backend) and the disk backend with its engine.
//
//     import SwiftCashews
//     Cache.register(.disk)
//     try Cache.shared.setup("disk://")
@_exported public import Cashews
@_exported public import CashewsDisk
@_exported public import DiskCache
