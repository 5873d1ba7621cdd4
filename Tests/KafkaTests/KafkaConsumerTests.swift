import Kafka
import Testing

@Suite("KafkaConsumer and KafkaProducer against the dev broker", .serialized)
struct KafkaConsumerTests {
    typealias Support = KafkaTestSupport

    /// Produces `count` records keyed `sku-(i % 7)` with value `value-i` and timestamp base + i.
    static func produce(_ count: Int, to topic: String, broker: KafkaDevBroker, base: Int64 = 1_700_000_000_000) throws {
        let producer = try Support.producer(broker)
        for index in 0..<count {
            try producer.send(
                topic: topic,
                key: Support.bytes("sku-\(index % 7)"),
                value: Support.bytes("value-\(index)"),
                timestampMilliseconds: base + Int64(index)
            )
        }
        try producer.flush(timeout: .seconds(10))
    }

    @Test("keyed records round-trip with keys, values, offsets, timestamps and per-partition order intact")
    func roundTrip() async throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = Support.uniqueName("orders")
        try broker.createTopic(topic, partitions: 3)
        let count = 300
        try Self.produce(count, to: topic, broker: broker)

        let consumer = try KafkaConsumer.make(
            configuration: Support.consumerConfiguration(broker, groupID: Support.uniqueName("group")),
            logger: Support.logger
        )
        try consumer.subscribe(to: [topic])
        var state = ConsumedState()
        // nextBatch: the async path, on the consumer's own queue.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while state.records.count < count, clock.now < deadline {
            state.apply(try await consumer.nextBatch(maxRecords: 100, timeout: .milliseconds(200)))
        }
        try consumer.close()
        try consumer.close()  // idempotent

        #expect(state.records.count == count)
        #expect(Set(state.assignments.map(\.topicPartition.partition)) == [0, 1, 2])
        #expect(state.assignments.allSatisfy { $0.committedOffset == nil })
        for record in state.records {
            let index = try #require(Int(Support.text(record.value)!.dropFirst("value-".count)))
            #expect(record.topic == topic)
            #expect(Support.text(record.key) == "sku-\(index % 7)")
            #expect(record.timestampMilliseconds == 1_700_000_000_000 + Int64(index))
        }
        let byPartition = Dictionary(grouping: state.records, by: \.partition)
        for (_, records) in byPartition {
            #expect(records.map(\.offset) == Array(0..<Int64(records.count)))
            // Order per partition is produce order.
            let indexes = records.map { Int(Support.text($0.value)!.dropFirst("value-".count))! }
            #expect(indexes == indexes.sorted())
        }
        // Same key, same partition.
        let partitionsPerKey = Dictionary(grouping: state.records, by: { Support.text($0.key)! }).mapValues { Set($0.map(\.partition)) }
        #expect(partitionsPerKey.values.allSatisfy { $0.count == 1 })
        #expect(throws: KafkaError.self) { try consumer.poll(maxRecords: 1, timeout: .zero) }
    }

    @Test("a consumer resumes after the committed offset; startAssignedPartitionsFromBeginning re-reads and reports it")
    func committedOffsets() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = Support.uniqueName("inventory")
        try broker.createTopic(topic, partitions: 1)
        try Self.produce(10, to: topic, broker: broker)
        let groupID = Support.uniqueName("group")
        let partition = KafkaTopicPartition(topic: topic, partition: 0)

        // First member: process 6 records, store and commit offset 6.
        do {
            let consumer = try KafkaConsumer.make(configuration: Support.consumerConfiguration(broker, groupID: groupID), logger: Support.logger)
            try consumer.subscribe(to: [topic])
            var state = ConsumedState()
            let joinTime = try pollUntil(consumer, state: &state) { $0.records.count >= 10 }
            print("KafkaTests: first member joined and read 10 records in \(joinTime)")
            try consumer.commitStoredOffsets()  // nothing stored yet: a no-op
            try consumer.storeOffsets([partition: 6])
            try consumer.commitStoredOffsets()
            try consumer.close()
        }

        // Second member of the same group: resumes at 6.
        do {
            let consumer = try KafkaConsumer.make(configuration: Support.consumerConfiguration(broker, groupID: groupID), logger: Support.logger)
            try consumer.subscribe(to: [topic])
            var state = ConsumedState()
            try pollUntil(consumer, state: &state) { $0.records.count >= 4 }
            #expect(state.assignments == [KafkaPartitionAssignment(topicPartition: partition, committedOffset: 6)])
            #expect(state.records.map(\.offset) == [6, 7, 8, 9])
            try consumer.close()
        }

        // Rebuild from the beginning: all 10 records, committed offset still reported as 6.
        do {
            var configuration = Support.consumerConfiguration(broker, groupID: groupID)
            configuration.startAssignedPartitionsFromBeginning = true
            let consumer = try KafkaConsumer.make(configuration: configuration, logger: Support.logger)
            try consumer.subscribe(to: [topic])
            var state = ConsumedState()
            try pollUntil(consumer, state: &state) { $0.records.count >= 10 }
            #expect(state.assignments == [KafkaPartitionAssignment(topicPartition: partition, committedOffset: 6)])
            #expect(state.records.map(\.offset) == Array(0..<10))
            #expect(consumer.cachedHighWatermark(partition) == 10)
            try consumer.close()
        }
    }

    @Test("two consumers in one group split the partitions, with assignment, revocation and committed offsets reported")
    func groupSplitsPartitions() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = Support.uniqueName("carts")
        try broker.createTopic(topic, partitions: 4)
        try Self.produce(40, to: topic, broker: broker)
        let groupID = Support.uniqueName("group")
        let all = Set((0..<4).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) })

        let first = try KafkaConsumer.make(configuration: Support.consumerConfiguration(broker, groupID: groupID), logger: Support.logger)
        try first.subscribe(to: [topic])
        var states = [ConsumedState(), ConsumedState()]
        let firstJoin = try pollUntil(first, state: &states[0]) { $0.current == all && $0.records.count == 40 }
        print("KafkaTests: first member assigned all partitions and read 40 records after \(firstJoin)")
        // Processed everything: store and commit the next offsets. (The commit at revocation is a
        // safety net only: the 2.0.2 mock coordinator refuses OffsetCommit while the group is
        // joining, so on the dev broker it fails with "Group rebalance in progress" and the
        // failure is reported in the batch's errors.)
        var stored: [KafkaTopicPartition: Int64] = [:]
        for record in states[0].records {
            stored[record.topicPartition] = max(stored[record.topicPartition] ?? 0, record.offset + 1)
        }
        try first.storeOffsets(stored)
        try first.commitStoredOffsets()

        let second = try KafkaConsumer.make(configuration: Support.consumerConfiguration(broker, groupID: groupID), logger: Support.logger)
        try second.subscribe(to: [topic])
        let rebalance = try pollUntil([first, second], states: &states) { states in
            states[0].current.count == 2 && states[1].current.count == 2
        }
        print("KafkaTests: second member joined, rebalance took \(rebalance)")
        #expect(states[0].current.isDisjoint(with: states[1].current))
        #expect(states[0].current.union(states[1].current) == all)
        #expect(Set(states[0].revoked) == all)
        // The second member starts after the committed offsets and re-reads nothing.
        #expect(states[0].errors.isEmpty)
        for assignment in states[1].assignments {
            #expect(assignment.committedOffset == stored[assignment.topicPartition])
        }
        #expect(states[1].records.isEmpty)
        // Storing an offset for a partition that moved away is skipped, not an error.
        let moved = try #require(states[1].current.first)
        try first.storeOffsets([moved: 1])

        // The second member leaves: the first gets everything back.
        try second.close()
        try pollUntil(first, state: &states[0]) { $0.current == all }
        try first.close()
    }

    @Test("partitionCount of a missing topic throws a metadata error")
    func missingTopic() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let consumer = try KafkaConsumer.make(
            configuration: Support.consumerConfiguration(broker, groupID: Support.uniqueName("group")),
            logger: Support.logger
        )
        let error = try #require(throws: KafkaError.self) {
            try consumer.partitionCount(topic: "no-such-topic", timeout: .seconds(5))
        }
        #expect(error.code == .metadata)
        #expect(error.message.contains("no-such-topic"))
    }

    @Test("the cached high watermark is unknown before fetching and known after consuming")
    func highWatermark() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = Support.uniqueName("interactions")
        try broker.createTopic(topic, partitions: 2)
        let consumer = try KafkaConsumer.make(
            configuration: Support.consumerConfiguration(broker, groupID: Support.uniqueName("group")),
            logger: Support.logger
        )
        let partitions = (0..<2).map { KafkaTopicPartition(topic: topic, partition: Int32($0)) }
        #expect(consumer.cachedHighWatermark(partitions[0]) == nil)
        try Self.produce(20, to: topic, broker: broker)
        try consumer.subscribe(to: [topic])
        var state = ConsumedState()
        try pollUntil(consumer, state: &state) { $0.records.count >= 20 }
        let counts = Dictionary(grouping: state.records, by: \.partition).mapValues(\.count)
        try pollUntil(consumer, state: &state) { _ in
            partitions.allSatisfy { consumer.cachedHighWatermark($0) == Int64(counts[$0.partition] ?? 0) }
        }
        // Pausing and resuming assigned partitions works. (librdkafka 2.0.2 also accepts an
        // unassigned partition without an error.)
        try consumer.pause(partitions)
        try consumer.resume(partitions)
        try consumer.close()
    }
}
