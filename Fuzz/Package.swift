// swift-tools-version:5.4
import PackageDescription

/// libFuzzer targets for piapi. Build and run them with `Fuzz/run.sh`, which passes
/// `-Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library` so that the root package's
/// code is instrumented too. Debug builds: `FuzzRequestHead`, `FuzzResponseHead`, `FuzzUsageTap` and `FuzzWebSocketFrames` use `@testable import`.
/// Tools version 5.4 on purpose: from 5.5 on SwiftPM renames an executable's entry point to
/// `<Module>_main` and links `main` to it, which a libFuzzer target (no Swift main, libFuzzer
/// brings its own) cannot satisfy. The targets still compile in the Swift 6 language mode.
let swift6: [SwiftSetting] = [.unsafeFlags(["-swift-version", "6"])]

let package = Package(
    name: "piapi-fuzz",
    dependencies: [
        .package(name: "piapi", path: ".."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        /// YAML bytes → ConfigCompiler.compile.
        .executableTarget(
            name: "FuzzCompile",
            dependencies: [.product(name: "PiapiCompiler", package: "piapi")],
            swiftSettings: swift6
        ),
        /// Table bytes → TableFile.decode, then an encode/decode round trip.
        .executableTarget(
            name: "FuzzTableDecode",
            dependencies: [
                .product(name: "RouteTable", package: "piapi"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swift6
        ),
        /// Upstream response bytes → head scanning, strict framing, the head written for the
        /// client (credential kept out, HTTP/1.0 rules), de-chunking.
        .executableTarget(
            name: "FuzzResponseHead",
            dependencies: [
                .product(name: "PiapiGateway", package: "piapi"),
                .product(name: "RouteTable", package: "piapi"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),
        /// Request bytes → head scanning, head parsing, path split, key digest, query filter.
        .executableTarget(
            name: "FuzzRequestHead",
            dependencies: [
                .product(name: "PiapiGateway", package: "piapi"),
                .product(name: "RouteTable", package: "piapi"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),
        /// Response bytes → UsageTap (SSE/chunk framing, inflation, JSON, dialects), sliced two ways.
        .executableTarget(
            name: "FuzzUsageTap",
            dependencies: [
                .product(name: "PiapiGateway", package: "piapi"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),
        /// Both directions of a WebSocket tunnel → the frame reader (framing, fragments,
        /// control frames, permessage-deflate), fed whole, in halves and in 7-byte pieces.
        .executableTarget(
            name: "FuzzWebSocketFrames",
            dependencies: [
                .product(name: "PiapiGateway", package: "piapi"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: swift6
        ),
    ]
)
