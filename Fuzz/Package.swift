// swift-tools-version:6.1
import PackageDescription

/// libFuzzer targets for piapi. Build and run them with `Fuzz/run.sh`, which passes
/// `-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library` so that the root package's
/// code is instrumented too. Debug builds: `FuzzRequestHead` uses `@testable import`.
let package = Package(
    name: "piapi-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "piapi", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        /// YAML bytes → ConfigCompiler.compile.
        .executableTarget(
            name: "FuzzCompile",
            dependencies: [.product(name: "PiapiCompiler", package: "piapi")]
        ),
        /// Table bytes → TableFile.decode, then an encode/decode round trip.
        .executableTarget(
            name: "FuzzTableDecode",
            dependencies: [.product(name: "RouteTable", package: "piapi")]
        ),
        /// Request bytes → head scanning, head parsing, path split, key digest, query filter.
        .executableTarget(
            name: "FuzzRequestHead",
            dependencies: [
                .product(name: "PiapiGateway", package: "piapi"),
                .product(name: "RouteTable", package: "piapi"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ]
)
