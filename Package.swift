// swift-tools-version:6.2
import PackageDescription

/// `PILLAR_WARNINGS_AS_ERRORS=1` (what CI sets) makes every warning in Pillar's own targets an error, so that
/// none accumulates; dependencies are not affected.
let strict: [SwiftSetting] =
    [.swiftLanguageMode(.v6)]
    + (Context.environment["PILLAR_WARNINGS_AS_ERRORS"] == "1" ? [.treatAllWarnings(as: .error)] : [])

/// `PILLAR_TARGET_CPU=native` (what `make serve` and the benchmarks use) lets the vector index's SIMD use the
/// machine's widest instructions (AVX2/AVX-512) in release builds. Unset, the build runs on any x86-64.
let vectorSettings: [SwiftSetting] =
    strict
    + (Context.environment["PILLAR_TARGET_CPU"].map {
        [.unsafeFlags(["-target-cpu", $0], .when(configuration: .release))]
    } ?? [])

let package = Package(
    name: "pillar",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pillar", targets: ["PillarCLI"]),
        .executable(name: "pillar-load", targets: ["PillarLoad"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["CommandLineArguments"]),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        .target(
            name: "PillarCore",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(name: "PillarTokenization", swiftSettings: strict),
        // The one system call Swift cannot make itself (prctl is variadic), for children that die with Pillar.
        .target(name: "CPillarProcess"),
        .target(
            name: "PillarGateway",
            dependencies: [
                "PillarCore", "PillarTokenization", "CPillarProcess",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PillarRetrieval",
            dependencies: [
                "PillarCore", "PillarGateway",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: vectorSettings
        ),
        .target(
            name: "PillarSafety",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        .target(
            name: "PillarFlows",
            dependencies: [
                "PillarCore", "PillarGateway", "PillarRetrieval", "PillarSafety",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            resources: [.copy("Shipped")],
            swiftSettings: strict
        ),
        .target(
            name: "PillarEval",
            dependencies: [
                "PillarCore", "PillarFlows",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Production quality: online evaluation, signals, drift, monitors, alerts and canary analysis. Runs as
        // services beside the server; its decisions are values computed for a given moment.
        .target(
            name: "PillarMonitoring",
            dependencies: [
                "PillarCore", "PillarEval", "PillarFlows", "PillarRetrieval",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PillarStore",
            dependencies: [
                "PillarCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "PillarServer",
            dependencies: [
                "PillarCore", "PillarGateway", "PillarStore", "PillarRetrieval", "PillarFlows", "PillarSafety",
                "PillarTokenization", "PillarEval", "PillarMonitoring",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("Public")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "PillarCLI",
            dependencies: [
                "PillarServer", "PillarRetrieval", "PillarGateway", "PillarFlows", "PillarStore", "PillarEval",
                "PillarMonitoring",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "PillarLoad",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "PillarDriftBench",
            dependencies: ["PillarMonitoring", "PillarCore"],
            path: "Benchmarks/Drift",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "PillarVectorBench",
            dependencies: ["PillarRetrieval"],
            path: "Benchmarks/VectorIndex",
            swiftSettings: vectorSettings
        ),
        .testTarget(
            name: "PillarTokenizationTests",
            dependencies: ["PillarTokenization", "PillarCore"],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PillarCoreTests",
            dependencies: ["PillarCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PillarGatewayTests",
            dependencies: ["PillarGateway", "PillarTokenization", .product(name: "NIOHTTP1", package: "swift-nio")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PillarRetrievalTests",
            dependencies: ["PillarRetrieval"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PillarSafetyTests",
            dependencies: ["PillarSafety"],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PillarFlowsTests",
            dependencies: ["PillarFlows"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PillarEvalTests",
            dependencies: ["PillarEval", "PillarCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PillarMonitoringTests",
            dependencies: [
                "PillarMonitoring", "PillarCore", "PillarEval", "PillarRetrieval",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "PillarServerTests",
            dependencies: [
                "PillarServer", "PillarGateway", "PillarStore", "PillarRetrieval", "PillarFlows", "PillarEval",
                "PillarMonitoring",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
    ]
)
