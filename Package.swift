// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "StockSentry",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "stocksentry", targets: ["stocksentry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // The only place that sees librdkafka's C headers.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // A thin, safe wrapper over librdkafka. No domain knowledge.
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The pure domain: events, ledger, policies, alerts. No I/O, no clocks, no Kafka.
        .target(name: "StockModel"),
        // Append-only segmented log, snapshots, recovery, retention. Bytes and positions, no SKUs.
        .target(name: "EventLog", exclude: ["README.md"]),
        // The service: Kafka in → model → Kafka out, per task.
        .target(
            name: "StockSentry",
            dependencies: [
                "EventLog",
                "Kafka",
                "StockModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .executableTarget(
            name: "stocksentry",
            dependencies: [
                "StockSentry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "StockModelTests", dependencies: ["StockModel"]),
        .testTarget(name: "EventLogTests", dependencies: ["EventLog"]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka"]),
        .testTarget(name: "StockSentryTests", dependencies: ["StockSentry", "StockModel", "Kafka", "EventLog"]),
        .testTarget(name: "IntegrationTests", dependencies: ["StockSentry", "StockModel"]),
    ],
    swiftLanguageModes: [.v6]
)
