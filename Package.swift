// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "capstan",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "capstan", targets: ["capstan"]),
        .executable(name: "capstan-bench", targets: ["capstan-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Utilities every layer shares, with no dependencies: UTC time text, backoff, JSON strings.
        .target(name: "CapstanSupport"),
        // The Workflow resource: spec, status, quantities, durations, JSON values.
        .target(
            name: "CapstanAPI",
            dependencies: ["CapstanSupport", .product(name: "Yams", package: "Yams")]
        ),
        // The pure engine: templates, conditions, validation and the step function. No I/O.
        .target(
            name: "CapstanEngine",
            dependencies: ["CapstanAPI", "CapstanSupport"]
        ),
        // Kubernetes client, informers, work queue, leader election.
        .target(
            name: "CapstanKube",
            dependencies: [
                "CapstanAPI", "CapstanSupport",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // Object stores: S3 (SigV4) and local files.
        .target(
            name: "CapstanStore",
            dependencies: [
                "CapstanSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // `capstan worker`: a map's reusable worker, its dispatch protocol and how it runs an item.
        .target(
            name: "CapstanWorker",
            dependencies: [
                "CapstanAPI", "CapstanSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The operator: reconcile loop wiring the engine to Kubernetes and the store.
        .target(
            name: "CapstanController",
            dependencies: [
                "CapstanAPI", "CapstanEngine", "CapstanKube", "CapstanStore", "CapstanSupport", "CapstanWorker",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // `capstan sim`: a Kubernetes API server on loopback and simulated kubelets.
        .target(
            name: "CapstanSim",
            dependencies: [
                "CapstanAPI", "CapstanKube", "CapstanSupport", "CapstanWorker",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // `capstan ui`: a read-only web view of Workflows, live from one watch.
        .target(
            name: "CapstanUI",
            dependencies: [
                "CapstanAPI", "CapstanEngine", "CapstanKube", "CapstanSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "capstan",
            dependencies: [
                "CapstanAPI", "CapstanEngine", "CapstanKube", "CapstanStore",
                "CapstanController", "CapstanSim", "CapstanSupport", "CapstanUI", "CapstanWorker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Benchmarks of the engine (hack/bench/engine.sh).
        .executableTarget(name: "capstan-bench", dependencies: ["CapstanAPI", "CapstanEngine"]),
        .testTarget(name: "CapstanSupportTests", dependencies: ["CapstanSupport"]),
        .testTarget(name: "CapstanAPITests", dependencies: ["CapstanAPI"]),
        .testTarget(
            name: "CapstanEngineTests",
            dependencies: ["CapstanAPI", "CapstanEngine", "TestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "CapstanKubeTests",
            dependencies: [
                "CapstanKube", "CapstanAPI", "CapstanSupport", "TestSupport",
                // A TLS test server (custom CA, client certificates) and the Prometheus export of the client's metrics.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(
            name: "CapstanStoreTests",
            dependencies: [
                "CapstanStore", "TestSupport",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                // A local HTTP server playing the container credentials endpoint and instance metadata.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CapstanUITests",
            dependencies: ["CapstanUI", "CapstanAPI", "CapstanKube", "CapstanSim", "TestSupport"]
        ),
        .testTarget(name: "CapstanWorkerTests", dependencies: ["CapstanWorker", "TestSupport"]),
        .testTarget(name: "CapstanSimTests", dependencies: ["CapstanSim", "CapstanKube", "CapstanAPI", "TestSupport"]),
        .testTarget(
            name: "CapstanControllerTests",
            dependencies: [
                "CapstanController", "CapstanEngine", "CapstanAPI", "CapstanKube", "CapstanStore", "TestSupport",
                // Dev/: `capstan dev`'s display (progress, summary, failure report) lives with the command.
                "capstan",
                // Reads the rendered Helm and kustomize manifests in Deploy/.
                .product(name: "Yams", package: "Yams"),
                // Observability/: records through swift-metrics, logs through swift-log, runs the server in a ServiceGroup.
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Helpers shared by tests that start real processes (`capstan sim`, `capstan run`, kubectl).
        .target(
            name: "TestSupport",
            dependencies: ["CapstanAPI"],
            path: "Tests/TestSupport"
        ),
    ]
)
