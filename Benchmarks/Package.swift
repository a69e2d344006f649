// swift-tools-version: 6.1
// Benchmarks for swift-cashews, kept in a nested package so that the root package's builds and
// tests never compile the benchmark dependencies.
//
//   make bench-compare      side by side: this library, raw LMDB in C, python-diskcache
import PackageDescription

let package = Package(
    name: "swift-cashews-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-cashews", path: "..")
    ],
    targets: [
        // The Swift side of the side-by-side comparison (Compare/run.sh drives it).
        .executableTarget(
            name: "Compare",
            dependencies: [.product(name: "LMDB", package: "swift-cashews")],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        )
    ]
)
