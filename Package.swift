// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "piapi",
    // Linux (glibc) only: see Sources/RouteTable/LinuxOnly.swift and README "Platforms".
    products: [
        .executable(name: "piapi-compile", targets: ["piapi-compile"]),
        .executable(name: "piapi-serve", targets: ["piapi-serve"]),
        .library(name: "RouteTable", targets: ["RouteTable"]),
        .executable(name: "piapi-mock-upstream", targets: ["piapi-mock-upstream"]),
        /// For the fuzz package (Fuzz/Package.swift), which depends on this one by path.
        .library(name: "PiapiCompiler", targets: ["PiapiCompiler"]),
        .library(name: "PiapiGateway", targets: ["PiapiGateway"]),
        .executable(name: "piapi-usage", targets: ["piapi-usage"]),
        .library(name: "PiapiLedger", targets: ["PiapiLedger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
    ],
    targets: [
        /// The system libyaml (Debian: libyaml-dev), read through pkg-config.
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        /// The system zlib (Debian: zlib1g-dev): the usage tap inflates gzip/deflate bodies on
        /// the side, the mock upstream gzips its answers.
        .systemLibrary(
            name: "CZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        /// The compiled route table: its model, its two encodings and its lookup.
        .target(
            name: "RouteTable",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        /// YAML → config model → diagnostics → RouteTable; inspect and diff.
        .target(
            name: "PiapiCompiler",
            dependencies: ["CLibYAML", "RouteTable"]
        ),
        .executableTarget(
            name: "piapi-compile",
            dependencies: [
                "PiapiCompiler",
                "RouteTable",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        /// The gateway: HTTP server, forwarding, upstream pool, table reloads, logs and metrics.
        .target(
            name: "PiapiGateway",
            dependencies: [
                "RouteTable",
                "PiapiLedger",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                /// ServerQuiescingHelper: the graceful drain.
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "piapi-serve",
            dependencies: [
                "PiapiGateway",
                "RouteTable",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        /// The request ledger: one row per finished request in SQLite or PostgreSQL, written in
        /// batches off the event loops; totals for budgets and the usage report. Independent of
        /// the gateway so piapi-serve and piapi-usage can both use it.
        .target(
            name: "PiapiLedger",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "piapi-usage",
            dependencies: [
                "PiapiLedger",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// Benchmark helper for bench/table.sh (synthetic configs, load and lookup timings).
        .executableTarget(
            name: "piapi-bench",
            dependencies: [
                "RouteTable",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        /// A stand-in upstream that shows what piapi forwards (credentials redacted), streams SSE
        /// and answers in the three LLM dialects (optionally gzipped).
        .target(
            name: "MockUpstream",
            dependencies: [
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "piapi-mock-upstream",
            dependencies: [
                "MockUpstream",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "MockUpstreamTests",
            dependencies: [
                "MockUpstream",
                "PiapiGateway",
                "PiapiTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        /// Test-only helpers shared by the test targets (a raw HTTP client, a real PostgreSQL).
        .target(
            name: "PiapiTestSupport",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/PiapiTestSupport"
        ),
        .testTarget(name: "RouteTableTests", dependencies: ["RouteTable"]),
        .testTarget(name: "PiapiCompilerTests", dependencies: ["PiapiCompiler", "RouteTable"]),
        .testTarget(
            name: "PiapiGatewayTests",
            dependencies: [
                "PiapiGateway",
                "PiapiTestSupport",
                "RouteTable",
                "CZlib",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(
            name: "PiapiLedgerTests",
            dependencies: [
                "PiapiLedger",
                "PiapiTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                /// A second connection to hold a lock on an SQLite ledger.
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
            ]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "RouteTable", "MockUpstream", "PiapiTestSupport",
                /// YAMLReader, to read docs/admin-openapi.yaml in the admin API's schema test.
                "PiapiCompiler",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
