// swift-tools-version: 6.2
// swift-cashews: an async cache toolkit for Swift with an embeddable LMDB disk engine.
//
// Layers (each imports only the ones below it; `make check-layers` proves the facade's half):
//
//   CacheVocabulary                        clocks, globs, expiry, TTL, write conditions (no dependencies)
//   ├── CLMDB → LMDB → DiskCache           the disk engine (liblmdb, xxHash)
//   └── Cashews                            the facade: Backend protocol, memory backend, Cache, strategies
//       ├── CashewsDisk                    the disk backend (Cashews + DiskCache): registers disk://
//       │   └── SwiftCashews               the one-import umbrella: Cashews + CashewsDisk
//       ├── CashewsTesting                 the backend conformance suite
//       ├── CashewsMacros                  decorator macros (@Cached, …); the only product with swift-syntax
//       └── CashewsRedis                   the Redis backend (Cashews + SwiftNIO): registers redis://, unix://
//           └── CashewsRedisTLS            rediss:// (swift-nio-ssl), a product of its own
import CompilerPluginSupport
import PackageDescription

let package = Package(
    name: "swift-cashews",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LMDB", targets: ["LMDB"]),
        .library(name: "DiskCache", targets: ["DiskCache"]),
        .library(name: "Cashews", targets: ["Cashews"]),
        .library(name: "CashewsDisk", targets: ["CashewsDisk"]),
        .library(name: "SwiftCashews", targets: ["SwiftCashews"]),
        .library(name: "CashewsTesting", targets: ["CashewsTesting"]),
        // Macros (begin): decorator macros; only this product builds swift-syntax.
        .library(name: "CashewsMacros", targets: ["CashewsMacros"]),
        // Macros (end)
        // The Redis backend (RESP3 over SwiftNIO): `Cache.register(.redis)`.
        .library(name: "CashewsRedis", targets: ["CashewsRedis"]),
        // rediss:// (TLS through swift-nio-ssl): `Cache.register(.redisTLS)`.
        .library(name: "CashewsRedisTLS", targets: ["CashewsRedisTLS"]),
        // The command-line tool: look into, maintain and move a disk cache (`swift run cashews --help`).
        .executable(name: "cashews", targets: ["CashewsCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // The `cashews` tool only (no library product depends on it).
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Macros: the CashewsMacros product only (its compiler plugin).
        .package(url: "https://github.com/swiftlang/swift-syntax", exact: "603.0.1"),
        // The Redis backend only (CashewsRedis).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // rediss:// only (CashewsRedisTLS).
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // The shared vocabulary of every layer: clocks, glob patterns, expiry, time-to-live.
        .target(name: "CacheVocabulary"),
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
        // zlib, for compressed values (part of every Debian/Ubuntu image as zlib1g-dev).
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // The disk cache engine: synchronous, thread-safe, multi-process.
        .target(
            name: "DiskCache",
            dependencies: [
                "CacheVocabulary", "LMDB", "CXXHash",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // The async facade: Backend protocol, the memory backend, the Cache front, strategies.
        .target(
            name: "Cashews",
            dependencies: [
                "CacheVocabulary", "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The disk backend: the engine behind the Backend protocol, `disk://` and its parameters.
        .target(
            name: "CashewsDisk",
            dependencies: ["Cashews", "DiskCache", .product(name: "Logging", package: "swift-log")]
        ),
        // One import for everything: `import SwiftCashews`.
        .target(name: "SwiftCashews", dependencies: ["Cashews", "CashewsDisk"]),
        // The backend conformance suite, run against every backend.
        .target(name: "CashewsTesting", dependencies: ["Cashews"]),
        // The Redis backend: RESP codec, connection pool with automatic pipelining, native commands.
        .target(
            name: "CashewsRedis",
            dependencies: [
                "Cashews", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // rediss://: the TLS transport of the Redis backend.
        .target(
            name: "CashewsRedisTLS",
            dependencies: [
                "Cashews", "CashewsRedis", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // Macros (begin): the compiler plugin (built for the host, swift-syntax) and the declarations.
        .macro(
            name: "CashewsMacrosPlugin",
            dependencies: [
                .product(name: "SwiftSyntax", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacros", package: "swift-syntax"),
                .product(name: "SwiftDiagnostics", package: "swift-syntax"),
                .product(name: "SwiftCompilerPlugin", package: "swift-syntax"),
            ]
        ),
        .target(name: "CashewsMacros", dependencies: ["Cashews", "CashewsMacrosPlugin"]),
        // A `@Cached` hit against the hand-written `cached` call (Benchmarks/Macros/compare.sh).
        .executableTarget(
            name: "MacroBenchmark", dependencies: ["CashewsMacros"], path: "Benchmarks/Macros", exclude: ["compare.sh"]),
        // Macros (end)

        // The `cashews` command-line tool: its commands (a library target, so that tests reach
        // the progress renderer) and the executable.
        .target(
            name: "CashewsCommands",
            dependencies: [
                "DiskCache", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/CashewsCLI/Commands"
        ),
        .executableTarget(name: "CashewsCLI", dependencies: ["CashewsCommands"], path: "Sources/CashewsCLI/Main"),

        // Examples.
        // Macros: the quick start uses @Cached (so `make demo` builds swift-syntax once).
        .executableTarget(
            name: "Quickstart", dependencies: ["SwiftCashews", "CashewsMacros"], path: "Examples/Quickstart"),

        // Tests, and the worker program the multi-process tests spawn (never shipped).
        .executableTarget(
            name: "TestWorker", dependencies: ["LMDB", "DiskCache", "Cashews", "CashewsDisk", "TestSupport"],
            path: "Tests/TestWorker"),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CacheVocabularyTests", dependencies: ["CacheVocabulary"]),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB", "TestSupport"]),
        .testTarget(name: "DiskCacheTests", dependencies: ["DiskCache", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["CashewsCommands", "DiskCache", "LMDB", "TestSupport"]),
        .testTarget(
            name: "CashewsRedisTests",
            dependencies: [
                "Cashews", "CashewsRedis", "CashewsRedisTLS", "CashewsTesting", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CashewsTests",
            dependencies: [
                "Cashews", "CashewsDisk", "CashewsTesting", "TestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ]
        ),
        // Macros (begin)
        .testTarget(
            name: "CashewsMacrosTests",
            dependencies: [
                "Cashews", "CashewsDisk", "CashewsMacros", "CashewsMacrosPlugin", "TestSupport",
                .product(name: "SwiftSyntaxMacroExpansion", package: "swift-syntax"),
                .product(name: "SwiftSyntaxMacrosGenericTestSupport", package: "swift-syntax"),
            ]
        ),
        // Macros (end)
    ]
)
