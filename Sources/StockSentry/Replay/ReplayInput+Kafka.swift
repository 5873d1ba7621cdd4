import Kafka
import Logging
import StockModel

extension ReplayInput {
    /// Reads the input topics of a cluster between the range's offsets or times, without joining a
    /// consumer group or writing anything to the cluster.
    ///
    /// Per partition: start at the larger of the log start, `fromOffset` and offsets-for-times(`fromTime`);
    /// end (exclusive) at the smaller of the high watermark at start, `toOffset` and
    /// offsets-for-times(`toTime`). Records between those offsets whose timestamp is outside the time
    /// range (timestamps out of order) are counted in ``outOfRangeRecords`` and left out.
    /// - Throws: ``StockSentryError`` when a topic is missing, the input topics are not co-partitioned,
    ///   or reading stops making progress for `stallTimeout`.
    public static func load(bootstrapServers: String, properties: [String: String], topics: StockSentryConfiguration.Topics,
                            range: ReplayRange, stallTimeout: Duration = .seconds(30), logger: Logger) async throws -> ReplayInput {
        var configuration = KafkaPartitionReaderConfiguration(bootstrapServers: bootstrapServers)
        configuration.additionalProperties = properties
        let reader: KafkaPartitionReader
        do {
            reader = try KafkaPartitionReader.make(configuration: configuration, logger: logger)
        } catch {
            throw StockSentryError(.kafka, "replay from \(bootstrapServers): cannot create a reader: \(error)", cause: error as? KafkaError)
        }
        do {
            let input = try await read(reader, bootstrapServers: bootstrapServers, topics: topics, range: range,
                                       stallTimeout: stallTimeout)
            try reader.close()
            return input
        } catch {
            try? reader.close()
            if error is StockSentryError { throw error }
            throw StockSentryError(.kafka, "replay from \(bootstrapServers): \(error)", cause: error as? KafkaError)
        }
    }

    private static func read(_ reader: KafkaPartitionReader, bootstrapServers: String, topics: StockSentryConfiguration.Topics,
                             range: ReplayRange, stallTimeout: Duration) async throws -> ReplayInput {
        let timeout = Duration.seconds(15)
        let bounds = try await reader.perform { reader -> [KafkaTopicPartition: (start: Int64, end: Int64)] in
            var counts: [String: Int] = [:]
            for role in InputTopic.allCases {
                let name = topics.name(of: role)
                counts[name] = try reader.partitionCount(topic: name, timeout: timeout)
            }
            if Set(counts.values).count > 1 {
                let listing = counts.sorted { $0.key < $1.key }.map { "\($0.key) has \($0.value)" }.joined(separator: ", ")
                throw StockSentryError(.topology, "input topics are not co-partitioned (\(listing)); a replay's tasks need the same partition count in every input topic, as the live processor does")
            }
            var bounds: [KafkaTopicPartition: (start: Int64, end: Int64)] = [:]
            for (topic, count) in counts {
                let partitions = (0..<count).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) }
                var fromTimes: [KafkaTopicPartition: Int64] = [:]
                var toTimes: [KafkaTopicPartition: Int64] = [:]
                if let fromTime = range.fromTime {
                    fromTimes = try reader.offsetsForTimes(Dictionary(uniqueKeysWithValues: partitions.map { ($0, fromTime) }), timeout: timeout)
                }
                if let toTime = range.toTime {
                    toTimes = try reader.offsetsForTimes(Dictionary(uniqueKeysWithValues: partitions.map { ($0, toTime) }), timeout: timeout)
                }
                for partition in partitions {
                    let (low, high) = try reader.watermarkOffsets(partition, timeout: timeout)
                    let start = max(low, range.fromOffset ?? low, fromTimes[partition] ?? low)
                    let end = min(high, range.toOffset ?? high, toTimes[partition] ?? high)
                    if start < end { bounds[partition] = (start, end) }
                }
            }
            return bounds
        }
        var input = ReplayInput(source: "kafka:\(bootstrapServers)", topics: topics)
        guard !bounds.isEmpty else {
            input.sortTasks()
            return input
        }
        try reader.assign(bounds.mapValues(\.start))
        let ends = bounds.mapValues(\.end)
        var lastProgress = ContinuousClock.now
        while !reader.hasReached(ends) {
            let batch = try await reader.nextBatch(maxRecords: 10_000, timeout: .milliseconds(200))
            if batch.isEmpty {
                if lastProgress.duration(to: .now) > stallTimeout {
                    let missing = ends.filter { (reader.nextOffset($0.key) ?? 0) < $0.value }
                        .map { "\($0.key) at \(reader.nextOffset($0.key) ?? -1) of \($0.value)" }.sorted().prefix(5)
                    throw StockSentryError(.kafka, "replay from \(bootstrapServers): no records for \(stallTimeout) while partitions remain (\(missing.joined(separator: ", "))); check the cluster is reachable")
                }
                continue
            }
            lastProgress = .now
            for record in batch {
                guard let end = ends[KafkaTopicPartition(topic: record.topic, partition: record.partition)], record.offset < end else { continue }
                input.add(record, range: range)
            }
        }
        input.sortTasks()
        return input
    }
}
