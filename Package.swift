// swift-tools-version: 6.1
// swift-cashews: an async cache toolkit for Swift with an embeddable LMDB disk engine.
// Layers (each imports only the ones below it): CLMDB → LMDB → DiskCache → Cashews → CashewsTesting.
import PackageDescription

let package = Package(
    name: "swift-cashews",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "DiskCache", targets: ["DiskCache"]),
        .library(name: "Cashews", targets: ["Cashews"]),
        .library(name: "CashewsTesting", targets: ["CashewsTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
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

        // The async facade: Backend protocol, memory and disk backends, the Cache front.
        .target(
            name: "Cashews",
            dependencies: [
                "DiskCache",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The backend conformance suite, run against every backend.
        .target(name: "CashewsTesting", dependencies: ["Cashews"]),

        // Examples.
        .executableTarget(name: "Quickstart", dependencies: ["Cashews"], path: "Examples/Quickstart"),

        // Tests, and the worker program the multi-process tests spawn (never shipped).
        .executableTarget(
            name: "TestWorker", dependencies: ["LMDB", "DiskCache", "Cashews", "TestSupport"], path: "Tests/TestWorker"),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "TestSupport"]),
        .testTarget(name: "DiskCacheTests", dependencies: ["DiskCache", "TestSupport"]),
        .testTarget(
            name: "CashewsTests",
            dependencies: [
                "Cashews", "CashewsTesting", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ]
)
