import Foundation
import Kafka
import Logging
import ServiceLifecycle
import Synchronization

/// Reads the output topics as a downstream consumer would (`read_committed`) and hands every
/// record to `onRecord`; the demo prints them.
public struct OutputWatcher: Service {
    public let bootstrapServers: String
    public let topics: [String]
    public let groupID: String
    public let seen: WatchProgress
    private let onRecord: @Sendable (KafkaRecord) -> Void
    private let logger: Logger

    public init(bootstrapServers: String, topics: [String], groupID: String, seen: WatchProgress = WatchProgress(),
                logger: Logger, onRecord: @escaping @Sendable (KafkaRecord) -> Void) {
        self.bootstrapServers = bootstrapServers
        self.topics = topics
        self.groupID = groupID
        self.seen = seen
        self.onRecord = onRecord
        self.logger = logger
    }

    public func run() async throws {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: bootstrapServers, groupID: groupID)
        configuration.autoOffsetReset = .earliest
        configuration.isolationLevel = .readCommitted
        let consumer = try KafkaConsumer.make(configuration: configuration, logger: logger)
        try consumer.subscribe(to: topics)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let batch = try await consumer.nextBatch(maxRecords: 1_000, timeout: .milliseconds(100))
            for record in batch.records {
                onRecord(record)
            }
            if !batch.records.isEmpty { seen.add(batch.records.count) }
        }
        try? consumer.close()
    }
}

/// How many output records a watcher has seen.
public final class WatchProgress: Sendable {
    private let count = Atomic<Int>(0)

    public init() {}

    public var recordsSeen: Int { count.load(ordering: .acquiring) }

    func add(_ records: Int) {
        count.add(records, ordering: .releasing)
    }
}
