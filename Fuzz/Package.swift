// swift-tools-version: 6.2
// libFuzzer targets for swift-cashews, a nested package that depends on the root by path.
//
//   make fuzz-smoke                 every target for a short, bounded time (CI)
//   make fuzz TARGET=FuzzTTL SECONDS=600
//
// Build with `swift build --sanitize fuzzer --sanitize address` (SwiftPM then leaves `main` to
// libFuzzer; `-Xswiftc -sanitize=fuzzer` does not work).
import PackageDescription

let package = Package(
    name: "swift-cashews-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-cashews", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(name: "FuzzTTL", dependencies: [.product(name: "Cashews", package: "swift-cashews")]),
        .executableTarget(name: "FuzzSetupURL", dependencies: [.product(name: "Cashews", package: "swift-cashews")]),
        .executableTarget(name: "FuzzGlob", dependencies: [.product(name: "DiskCache", package: "swift-cashews")]),
        .executableTarget(name: "FuzzCodec", dependencies: [.product(name: "Cashews", package: "swift-cashews")]),
        .executableTarget(
            name: "FuzzValueFormat", dependencies: [.product(name: "Cashews", package: "swift-cashews")]),
        .executableTarget(
            name: "FuzzKeyTemplate", dependencies: [.product(name: "Cashews", package: "swift-cashews")]),
        .executableTarget(
            name: "FuzzDiskCacheOps", dependencies: [.product(name: "DiskCache", package: "swift-cashews")]),
        .executableTarget(
            name: "FuzzEviction", dependencies: [.product(name: "DiskCache", package: "swift-cashews")]),
        .executableTarget(
            name: "FuzzRESP",
            dependencies: [
                .product(name: "CashewsRedis", package: "swift-cashews"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .executableTarget(
            name: "FuzzRecordDecoder",
            dependencies: [
                .product(name: "DiskCache", package: "swift-cashews"), .product(name: "LMDB", package: "swift-cashews"),
            ]),
    ]
)
