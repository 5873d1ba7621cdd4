import Kafka
import Testing

@Suite("KafkaProducer and KafkaAdmin failures", .serialized)
struct KafkaProducerTests {
    typealias Support = KafkaTestSupport

    @Test("an undeliverable record fails the next flush with librdkafka's message and the topic, once")
    func deliveryReportFailure() throws {
        // Nothing listens on port 1: the record times out in librdkafka's queue and its delivery
        // report carries the failure.
        var quiet = Support.logger
        quiet.logLevel = .critical
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.messageTimeout = .milliseconds(300)
        let producer = try KafkaProducer.make(configuration: configuration, logger: quiet)
        try producer.send(topic: "nowhere", key: Support.bytes("k"), value: Support.bytes("v"))
        let error = try #require(throws: KafkaError.self) { try producer.flush(timeout: .seconds(5)) }
        print("KafkaTests: undeliverable → \(error)")
        #expect(error.code == .delivery)
        #expect(error.message.contains("nowhere"))
        #expect(error.message.contains("timed out"))
        // Reported once: nothing is outstanding any more.
        try producer.flush(timeout: .seconds(1))
    }

    @Test("a record for a partition that does not exist fails with librdkafka's message and the topic")
    func deliveryFailure() async throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = Support.uniqueName("commands")
        try broker.createTopic(topic, partitions: 1)
        var configuration = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        configuration.messageTimeout = .seconds(5)
        let producer = try KafkaProducer.make(configuration: configuration, logger: Support.logger)

        // A good record first: flush succeeds (async path, on the producer's queue).
        try producer.send(topic: topic, key: nil, value: Support.bytes("ok"))
        try await producer.flush(timeout: .seconds(10))

        let error = try #require(throws: KafkaError.self) {
            try producer.send(topic: topic, key: Support.bytes("k"), value: Support.bytes("v"), partition: 7)
            try producer.flush(timeout: .seconds(10))
        }
        print("KafkaTests: bad partition → \(error)")
        #expect(error.message.contains(topic))
        #expect(error.message.lowercased().contains("partition"))

        // The failure was reported once; the producer keeps working.
        try producer.send(topic: topic, key: nil, value: [])
        try await producer.flush(timeout: .seconds(10))
    }

    @Test("a delivery group completes once its records and every earlier group's are acknowledged")
    func deliveryGroups() async throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let topic = Support.uniqueName("grouped")
        try broker.createTopic(topic, partitions: 2)
        let producer = try Support.producer(broker)
        #expect(try producer.pollCompletedDeliveryGroup() == 0)
        try producer.send(topic: topic, key: Support.bytes("a"), value: Support.bytes("1"), deliveryGroup: 1)
        try producer.send(topic: topic, key: Support.bytes("b"), value: Support.bytes("2"), deliveryGroup: 1)
        try producer.send(topic: topic, key: nil, value: Support.bytes("untracked"))
        try producer.send(topic: topic, key: Support.bytes("c"), value: Support.bytes("3"), deliveryGroup: 3)
        let completed = try producer.pollCompletedDeliveryGroup()
        #expect(completed == 0 || completed == 1 || completed == 3)
        let deadline = ContinuousClock.now + .seconds(10)
        while try producer.pollCompletedDeliveryGroup() < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try producer.pollCompletedDeliveryGroup() == 3)
        try await producer.flush(timeout: .seconds(10))
    }

    @Test("KafkaAdmin.createTopics times out against the mock cluster, which names no controller")
    func adminTimesOutOnMock() throws {
        let broker = try KafkaDevBroker.start(logger: Support.logger)
        let error = try #require(throws: KafkaError.self) {
            try KafkaAdmin.createTopics(
                [(name: Support.uniqueName("admin"), partitions: 2, replicationFactor: 1)],
                bootstrapServers: broker.bootstrapServers,
                timeout: .seconds(1),
                logger: Support.logger
            )
        }
        print("KafkaTests: CreateTopics on the mock → \(error)")
        #expect(error.code == .timeout)
    }
}
