// swift-tools-version: 6.1
// swift-cashews: an async cache toolkit for Swift with an embeddable LMDB disk engine.
// Layers (each imports only the ones above it in this list): CLMDB → LMDB → DiskCache → Cashews.
import PackageDescription

let package = Package(
    name: "swift-cashews",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"])
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

        // Examples.
        .executableTarget(name: "Quickstart", dependencies: ["LMDB"], path: "Examples/Quickstart"),

        // Tests, and the worker program the multi-process tests spawn (never shipped).
        .executableTarget(name: "TestWorker", dependencies: ["LMDB"], path: "Tests/TestWorker"),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"]),
    ]
)
