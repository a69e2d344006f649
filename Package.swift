// swift-tools-version: 6.1
// swift-cashews: an async cache toolkit for Swift with an embeddable LMDB disk engine.
// Layers (each imports only the ones above it in this list): CLMDB → LMDB → DiskCache → Cashews.
import PackageDescription

let package = Package(
    name: "swift-cashews",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "DiskCache", targets: ["DiskCache"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C interop: the system's liblmdb through pkg-config "lmdb".
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"]), .brew(["lmdb"])]
        ),
        // Safe Swift wrapper: the only code that calls mdb_*.
        .target(name: "LMDB", dependencies: ["CLMDB"]),
        // xxHash, header-only (checksums of values, digests of long keys).
        .systemLibrary(
            name: "CXXHash",
            pkgConfig: "libxxhash",
            providers: [.apt(["libxxhash-dev"]), .brew(["xxhash"])]
        ),
        // The disk cache engine: synchronous, thread-safe, multi-process.
        .target(
            name: "DiskCache",
            dependencies: [
                "LMDB", "CXXHash",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // Examples.
        .executableTarget(name: "Quickstart", dependencies: ["LMDB"], path: "Examples/Quickstart"),

        // Tests, and the worker program the multi-process tests spawn (never shipped).
        .executableTarget(name: "TestWorker", dependencies: ["LMDB", "DiskCache"], path: "Tests/TestWorker"),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "TestSupport"]),
        .testTarget(name: "DiskCacheTests", dependencies: ["DiskCache", "TestSupport"]),
    ]
)
