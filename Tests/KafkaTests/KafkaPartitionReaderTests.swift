import Kafka
import Testing

@Suite("KafkaPartitionReader against the dev broker", .serialized)
struct KafkaPartitionReaderTests {
    typealias Support = KafkaTestSupport

    /// Timestamp of record 0; record `i` of every partition is stamped `base + 10 * i`.
    static let base: Int64 = 1_700_000_000_000
    /// Records per partition of the test topic: distinct, so that mixing partitions up shows.
    static let counts: [Int32: Int64] = [0: 12, 1: 7]

    /// A topic of two partitions holding `counts` records with value `p<partition>-<index>`.
    static func makeTopic(_ broker: KafkaDevBroker) throws -> String {
        let topic = Support.uniqueName("replay")
        try broker.createTopic(topic, partitions: counts.count)
        let producer = try Support.producer(broker)
        for (partition, count) in counts {
            for index in 0..<count {
                try producer.send(
                    topic: topic,
                    key: nil,
                    value: Support.bytes("p\(partition)-\(index)"),
                    partition: partition,
                    timestampMilliseconds: base + 10 * index
                )
            }
        }
        try producer.flush(timeout: .seconds(10))
        return topic
    }

    static func reader(_ broker: KafkaDevBroker, configure: (inout KafkaPartitionReaderConfiguration) -> Void = { _ in }) throws -> KafkaPartitionReader {
        var configuration = KafkaPartitionReaderConfiguration(bootstrapServers: broker.bootstrapServers)
        configure(&configuration)
        return try KafkaPartitionReader.make(configuration: configuration, logger: Support.logger)
    }

    static func partitions(_ topic: String) -> [KafkaTopicPartition] {
        counts.keys.sorted().map { KafkaTopicPartition(topic: topic, partition: $0) }
    }

    /// Reads from `starts` until every partition reached its end in `ends` (or 30 s passed),
    /// keeping only the records before the ends, as the replay does.
    static func read(_ reader: KafkaPartitionReader, from starts: [KafkaTopicPartition: Int64], to ends: [KafkaTopicPartition: Int64]) async throws -> [KafkaRecord] {
        try reader.assign(starts)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        var records: [KafkaRecord] = []
        while !reader.hasReached(ends), clock.now < deadline {
            records += try await reader.nextBatch(maxRecords: 5, timeout: .milliseconds(200))
                .filter { $0.offset < ends[$0.topicPartition]! }
        }
        #expect(reader.hasReached(ends), "the reader did not reach \(ends) in 30 s")
        return records
    }

    @Test("watermark offsets are 0 and the record count of each partition")
    func watermarks() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = try Self.makeTopic(broker)
        let reader = try Self.reader(broker)
        #expect(try reader.partitionCount(topic: topic, timeout: .seconds(5)) == 2)
        for partition in Self.partitions(topic) {
            let watermarks = try reader.watermarkOffsets(partition, timeout: .seconds(5))
            #expect(watermarks.low == 0)
            #expect(watermarks.high == Self.counts[partition.partition])
        }
        try reader.close()
    }

    @Test("offsetsForTimes gives the first offset at or after the time, and the high watermark after the last record")
    func offsetsForTimes() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = try Self.makeTopic(broker)
        let reader = try Self.reader(broker)
        let partitions = Self.partitions(topic)
        func offsets(at time: Int64) throws -> [Int32: Int64] {
            let times = Dictionary(uniqueKeysWithValues: partitions.map { ($0, time) })
            let offsets = try reader.offsetsForTimes(times, timeout: .seconds(10))
            #expect(Set(offsets.keys) == Set(partitions))
            return Dictionary(uniqueKeysWithValues: offsets.map { ($0.key.partition, $0.value) })
        }
        // Exactly a record's timestamp, and just after the previous one: both find record 4.
        #expect(try offsets(at: Self.base + 40) == [0: 4, 1: 4])
        #expect(try offsets(at: Self.base + 31) == [0: 4, 1: 4])
        // Past partition 1's last record (index 6) but inside partition 0.
        #expect(try offsets(at: Self.base + 65) == [0: 7, 1: 7])
        // Before everything, and after everything.
        #expect(try offsets(at: 0) == [0: 0, 1: 0])
        #expect(try offsets(at: Self.base + 1_000_000) == [0: 12, 1: 7])
        // The same partition at different times in one call.
        let mixed = try reader.offsetsForTimes([partitions[0]: Self.base + 100, partitions[1]: Self.base + 20], timeout: .seconds(10))
        #expect(mixed == [partitions[0]: 10, partitions[1]: 2])
        try reader.close()
    }

    @Test("assign and poll read exactly [start, end) of each partition, in offset order")
    func boundedRead() async throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = try Self.makeTopic(broker)
        let reader = try Self.reader(broker)
        let partitions = Self.partitions(topic)
        let starts = [partitions[0]: Int64(3), partitions[1]: 1]
        // Partition 0 ends inside its records, partition 1 at its high watermark.
        let ends = [partitions[0]: Int64(8), partitions[1]: 7]
        let records = try await Self.read(reader, from: starts, to: ends)

        for partition in partitions {
            let read = records.filter { $0.topicPartition == partition }
            let expected = Array(starts[partition]!..<ends[partition]!)
            #expect(read.map(\.offset) == expected)
            #expect(read.map { Support.text($0.value)! } == expected.map { "p\(partition.partition)-\($0)" })
            #expect(read.map(\.timestampMilliseconds) == expected.map { Self.base + 10 * $0 })
        }
        // The end of partition 1 came as an event, not as an error, and moved nextOffset there;
        // partition 0 was read past its end (the extra records were dropped above).
        #expect(reader.nextOffset(partitions[1]) == 7)
        #expect(try #require(reader.nextOffset(partitions[0])) >= 8)
        #expect(reader.nextOffset(KafkaTopicPartition(topic: topic, partition: 5)) == nil)

        // Re-assigning starts over from the new offsets.
        let again = try await Self.read(reader, from: [partitions[0]: 10], to: [partitions[0]: 12])
        #expect(again.map(\.offset) == [10, 11])
        #expect(reader.nextOffset(partitions[1]) == nil)

        try reader.close()
        try reader.close()  // idempotent
        #expect(throws: KafkaError.self) { try reader.poll(maxRecords: 1, timeout: .zero) }
    }

    @Test("a start offset past the partition's end throws from poll, naming the partition")
    func startOutOfRange() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = try Self.makeTopic(broker)
        let reader = try Self.reader(broker)
        let partition = KafkaTopicPartition(topic: topic, partition: 1)
        try reader.assign([partition: 50])
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        let error = try #require(throws: KafkaError.self) {
            while clock.now < deadline {
                _ = try reader.poll(maxRecords: 10, timeout: .milliseconds(200))
            }
        }
        #expect(error.message.contains("\(partition)"))
        try reader.close()
    }

    @Test("reading commits nothing: a group consumer afterwards starts from the beginning")
    func commitsNothing() async throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = try Self.makeTopic(broker)
        let groupID = Support.uniqueName("group")
        let partitions = Self.partitions(topic)
        // Give the reader a known group, so the consumer below can ask what it committed.
        let reader = try Self.reader(broker) { $0.additionalProperties["group.id"] = groupID }
        let ends = Dictionary(uniqueKeysWithValues: partitions.map { ($0, Self.counts[$0.partition]!) })
        let records = try await Self.read(reader, from: ends.mapValues { _ in 0 }, to: ends)
        #expect(records.count == 19)
        try reader.close()

        let consumer = try KafkaConsumer.make(configuration: Support.consumerConfiguration(broker, groupID: groupID), logger: Support.logger)
        try consumer.subscribe(to: [topic])
        var state = ConsumedState()
        try pollUntil(consumer, state: &state) { $0.records.count >= 19 }
        #expect(Set(state.assignments) == Set(partitions.map { KafkaPartitionAssignment(topicPartition: $0, committedOffset: nil) }))
        for partition in partitions {
            #expect(state.records.filter { $0.topicPartition == partition }.map(\.offset) == Array(0..<ends[partition]!))
        }
        try consumer.close()

        // The reader refuses to be told to commit.
        let error = try #require(throws: KafkaError.self) {
            try Self.reader(broker) { $0.additionalProperties["enable.auto.commit"] = "true" }
        }
        #expect(error.code == .configuration)
    }

    @Test("a missing topic gives a KafkaError naming the topic")
    func missingTopic() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let reader = try Self.reader(broker)
        let topic = Support.uniqueName("no-such-topic")
        let countError = try #require(throws: KafkaError.self) {
            try reader.partitionCount(topic: topic, timeout: .seconds(5))
        }
        #expect(countError.code == .metadata)
        #expect(countError.message.contains(topic))
        let partition = KafkaTopicPartition(topic: topic, partition: 0)
        let watermarkError = try #require(throws: KafkaError.self) {
            try reader.watermarkOffsets(partition, timeout: .seconds(5))
        }
        #expect(watermarkError.message.contains(topic))
        let timesError = try #require(throws: KafkaError.self) {
            try reader.offsetsForTimes([partition: Self.base], timeout: .seconds(5))
        }
        #expect(timesError.message.contains(topic))
        // Asking did not create the topic (the dev broker creates a topic someone asks about by name).
        #expect(throws: KafkaError.self) { try reader.partitionCount(topic: topic, timeout: .seconds(5)) }
        // A partition past the topic's last one.
        let topic2 = try Self.makeTopic(broker)
        let partitionError = try #require(throws: KafkaError.self) {
            try reader.watermarkOffsets(KafkaTopicPartition(topic: topic2, partition: 2), timeout: .seconds(5))
        }
        #expect(partitionError.code == .metadata)
        #expect(partitionError.message.contains("\(topic2)[2]"))
        try reader.close()
    }
}
