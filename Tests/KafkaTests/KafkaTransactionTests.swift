import Kafka
import Synchronization
import Testing

/// Transactions and `assignmentStartOffsets` against the dev broker (librdkafka 2.0.2's mock
/// cluster). The mock runs the transactional protocol but keeps little of its effect; what it
/// does is pinned here, so that a librdkafka upgrade that changes it fails a test:
/// - InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn succeed, and
///   a committed transaction's records are readable.
/// - TxnOffsetCommit parses the offsets and discards them (mock handler: "Ignore if the topic or
///   partition exists or not", nothing stored), so `sendOffsetsToTransaction` never moves the
///   group's committed offsets, committed or aborted.
/// - EndTxn only checks the producer id/epoch: no transaction (control) markers are written, so a
///   read_committed consumer sees the records of an aborted transaction that reached the broker.
/// - InitProducerId gives every new producer instance its own producer id, so a second instance
///   with the same transactional.id does not fence the first.
/// Exactly-once on a real broker (offsets committed with the transaction, read_committed hiding
/// aborted records, fencing) is therefore not covered by these tests.
@Suite("KafkaProducer transactions and assignment start offsets against the dev broker", .serialized)
struct KafkaTransactionTests {
    typealias Support = KafkaTestSupport

    static func transactionalProducer(_ broker: KafkaDevBroker, transactionalID: String) throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        configuration.linger = .milliseconds(1)
        configuration.transactionalID = transactionalID
        configuration.transactionTimeout = .seconds(20)
        configuration.messageTimeout = .seconds(10)
        return try KafkaProducer.make(configuration: configuration, logger: Support.logger)
    }

    /// Produces `count` records `value-i` to partition 0 of `topic` (not transactionally).
    static func produceInput(_ count: Int, to topic: String, broker: KafkaDevBroker) throws {
        let producer = try Support.producer(broker)
        for index in 0..<count {
            try producer.send(topic: topic, key: nil, value: Support.bytes("value-\(index)"), partition: 0)
        }
        try producer.flush(timeout: .seconds(10))
    }

    /// Joins `groupID`, reads the `count` input records, then runs one transaction that writes
    /// `output` records and sends `committing` as the group's offset; `commit` false aborts it.
    static func readProcessWrite(
        broker: KafkaDevBroker,
        input: String,
        output: String,
        groupID: String,
        count: Int,
        committing offset: Int64,
        commit: Bool
    ) async throws {
        let consumer = try KafkaConsumer.make(configuration: Support.consumerConfiguration(broker, groupID: groupID), logger: Support.logger)
        try consumer.subscribe(to: [input])
        var state = ConsumedState()
        try pollUntil(consumer, state: &state) { $0.records.count >= count }
        #expect(state.records.count == count)

        let producer = try transactionalProducer(broker, transactionalID: Support.uniqueName("txn"))
        try await producer.initTransactions(timeout: .seconds(10))
        try producer.beginTransaction()
        for record in state.records.prefix(Int(offset)) {
            try producer.send(topic: output, key: nil, value: Support.bytes("out-\(Support.text(record.value)!)"), partition: 0)
        }
        try await producer.sendOffsetsToTransaction(
            [KafkaTopicPartition(topic: input, partition: 0): offset],
            consumer: consumer,
            timeout: .seconds(10)
        )
        if commit {
            try await producer.commitTransaction(timeout: .seconds(10))
        } else {
            // Deliver the records first, so that the abort has something on the broker to undo
            // (otherwise it purges them from the local queue and the test shows nothing).
            try await producer.flush(timeout: .seconds(10))
            try await producer.abortTransaction(timeout: .seconds(10))
        }
        try consumer.close()
    }

    @Test("a committed transaction's records are readable; the mock drops its offsets")
    func committedTransaction() async throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let input = Support.uniqueName("in")
        let output = Support.uniqueName("out")
        try broker.createTopic(input, partitions: 1)
        try broker.createTopic(output, partitions: 1)
        try Self.produceInput(10, to: input, broker: broker)
        let groupID = Support.uniqueName("group")
        try await Self.readProcessWrite(broker: broker, input: input, output: output, groupID: groupID, count: 10, committing: 6, commit: true)

        // On a real broker a new member of the group resumes at the transaction's offset (6). The
        // mock discards TxnOffsetCommit, so the group has no committed offset and the member starts
        // from the beginning (auto.offset.reset=earliest). The output is read from the beginning.
        let consumer = try KafkaConsumer.make(configuration: Support.consumerConfiguration(broker, groupID: groupID), logger: Support.logger)
        try consumer.subscribe(to: [input, output])
        var state = ConsumedState()
        try pollUntil(consumer, state: &state) { state in
            state.records.filter { $0.topic == input }.count >= 10 && state.records.filter { $0.topic == output }.count >= 6
        }
        try consumer.close()
        let committed = Dictionary(uniqueKeysWithValues: state.assignments.map { ($0.topicPartition.topic, $0.committedOffset) })
        #expect(committed[input] == .some(nil), "mock: TxnOffsetCommit stores nothing (a real broker: 6)")
        #expect(committed[output] == .some(nil))
        #expect(state.records.filter { $0.topic == input }.map(\.offset) == Array(0..<10), "a real broker: [6, 7, 8, 9]")
        #expect(state.records.filter { $0.topic == output }.map { Support.text($0.value)! } == (0..<6).map { "out-value-\($0)" })
    }

    @Test("an aborted transaction does not move the group's committed offsets")
    func abortedTransaction() async throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let input = Support.uniqueName("in")
        let output = Support.uniqueName("out")
        try broker.createTopic(input, partitions: 1)
        try broker.createTopic(output, partitions: 1)
        try Self.produceInput(5, to: input, broker: broker)
        let groupID = Support.uniqueName("group")
        try await Self.readProcessWrite(broker: broker, input: input, output: output, groupID: groupID, count: 5, committing: 3, commit: false)

        let consumer = try KafkaConsumer.make(configuration: Support.consumerConfiguration(broker, groupID: groupID), logger: Support.logger)
        try consumer.subscribe(to: [input, output])
        var state = ConsumedState()
        // The mock writes no abort marker, so this read_committed consumer still sees the aborted
        // transaction's 3 records, at contiguous offsets (no control record). A real broker hides
        // them. Pinned, so that a librdkafka upgrade that adds markers shows up here.
        try pollUntil(consumer, state: &state) { state in
            state.records.filter { $0.topic == input }.count >= 5 && state.records.filter { $0.topic == output }.count >= 3
        }
        try consumer.close()
        let committed = Dictionary(uniqueKeysWithValues: state.assignments.map { ($0.topicPartition.topic, $0.committedOffset) })
        #expect(committed[input] == .some(nil))
        #expect(state.records.filter { $0.topic == input }.map(\.offset) == [0, 1, 2, 3, 4])
        let aborted = state.records.filter { $0.topic == output }
        #expect(aborted.map(\.offset) == [0, 1, 2], "mock: aborted records visible (a real broker: none)")
        #expect(aborted.map { Support.text($0.value)! } == (0..<3).map { "out-value-\($0)" })
    }

    @Test("a second producer with the same transactional.id: the mock does not fence the first")
    func fencing() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let output = Support.uniqueName("out")
        try broker.createTopic(output, partitions: 1)
        let transactionalID = Support.uniqueName("txn")

        let first = try Self.transactionalProducer(broker, transactionalID: transactionalID)
        try first.initTransactions(timeout: .seconds(10))
        try first.beginTransaction()
        try first.send(topic: output, key: nil, value: Support.bytes("first"), partition: 0)

        let second = try Self.transactionalProducer(broker, transactionalID: transactionalID)
        try second.initTransactions(timeout: .seconds(10))

        // A real broker bumps the epoch of the transactional.id here, and the first producer's next
        // commit fails with a fatal error (PRODUCER_FENCED / INVALID_PRODUCER_EPOCH: isFatal, so
        // the task must recreate the producer). The 2.0.2 mock gives the second instance a new
        // producer id and leaves the first one valid, so the first commit succeeds. Pinned.
        try first.commitTransaction(timeout: .seconds(10))

        // The new instance works. A second begin is an error of the transaction state machine:
        // not fatal, the open transaction is unaffected.
        try second.beginTransaction()
        let error = try #require(throws: KafkaError.self) { try second.beginTransaction() }
        #expect(error.code == .transaction)
        #expect(!error.isFatal)
        #expect(error.rdKafkaCode != nil)
        try second.send(topic: output, key: nil, value: Support.bytes("second"), partition: 0)
        try second.commitTransaction(timeout: .seconds(10))
    }

    @Test("assignmentStartOffsets places the partitions it names; the others keep the usual rule")
    func assignmentStartOffsets() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = Support.uniqueName("in")
        try broker.createTopic(topic, partitions: 2)
        let producer = try Support.producer(broker)
        for index in 0..<10 {
            for partition: Int32 in [0, 1] {
                try producer.send(topic: topic, key: nil, value: Support.bytes("p\(partition)-\(index)"), partition: partition)
            }
        }
        try producer.flush(timeout: .seconds(10))

        let asked = Mutex<[[KafkaTopicPartition]]>([])
        var configuration = Support.consumerConfiguration(broker, groupID: Support.uniqueName("group"))
        configuration.assignmentStartOffsets = { partitions in
            asked.withLock { $0.append(partitions.sorted { $0.partition < $1.partition }) }
            return [KafkaTopicPartition(topic: topic, partition: 0): 7]
        }
        let consumer = try KafkaConsumer.make(configuration: configuration, logger: Support.logger)
        try consumer.subscribe(to: [topic])
        var state = ConsumedState()
        try pollUntil(consumer, state: &state) { $0.records.count >= 13 }
        try consumer.close()

        #expect(asked.withLock { $0 } == [[KafkaTopicPartition(topic: topic, partition: 0), KafkaTopicPartition(topic: topic, partition: 1)]])
        #expect(state.records.filter { $0.partition == 0 }.map(\.offset) == [7, 8, 9])
        #expect(state.records.filter { $0.partition == 1 }.map(\.offset) == Array(0..<10))
    }
}
