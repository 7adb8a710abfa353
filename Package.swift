// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "boxoffice",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "boxoffice", targets: ["boxoffice"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        .target(name: "Commands"),
        .target(
            name: "EventStore",
            dependencies: [
                "Commands",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .systemLibrary(name: "CMongoC", pkgConfig: "libmongoc-1.0", providers: [.apt(["libmongoc-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .target(
            name: "Projections",
            dependencies: [
                "EventStore", "Commands", "CMongoC",
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Webhooks from the log (docs/adr/0021-webhooks-from-the-log.md): the delivery worker and its queue.
        .target(
            name: "Webhooks",
            dependencies: [
                "Commands", "EventStore", "Projections",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "Gateway",
            dependencies: [
                "Commands", "EventStore", "Projections", "CQRencode", "Webhooks",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // Pages and the OpenAPI document are compiled into the binary: nothing to deploy beside it.
            resources: [.embedInCode("Pages/index.html"), .embedInCode("Pages/dashboard.html"), .embedInCode("openapi.json")]
        ),
        // The load generators (WORKLOADS.md) talk HTTP to a gateway; nothing in the server depends on them,
        // and only `boxoffice load` links them (docs/adr/0005-load-generator-target.md).
        .target(
            name: "LoadGenerator",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "boxoffice",
            dependencies: [
                "Gateway", "EventStore", "Projections", "Commands", "LoadGenerator", "Webhooks",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "EventStore", "Projections",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "CommandsTests", dependencies: ["Commands"]),
        .testTarget(name: "CommandHandlerTests", dependencies: ["EventStore", "Commands"]),
        .testTarget(name: "EventStoreTests", dependencies: ["EventStore", "Commands", "TestSupport"]),
        .testTarget(name: "ProjectionsTests", dependencies: ["Projections", "EventStore", "Commands", "TestSupport"]),
        .testTarget(
            name: "DocumentStoreTests",
            dependencies: [
                "Projections", "EventStore", "Commands", "TestSupport", "CMongoC",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            exclude: ["mock_mongo.py", "mongo_emulator.py"]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "EventStore", "Commands", "Projections", "TestSupport", "Webhooks",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
