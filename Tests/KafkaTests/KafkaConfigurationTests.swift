import Kafka
import Testing

@Suite("Kafka configuration", .serialized)
struct KafkaConfigurationTests {
    @Test("an unknown consumer property throws a configuration error quoting librdkafka")
    func unknownConsumerProperty() throws {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g")
        configuration.additionalProperties["no.such.property"] = "1"
        let error = try #require(throws: KafkaError.self) {
            try KafkaConsumer.make(configuration: configuration, logger: KafkaTestSupport.logger)
        }
        #expect(error.code == .configuration)
        #expect(error.message.contains("no.such.property"))
        #expect(error.message.contains("No such configuration property"))
    }

    @Test("an invalid producer value throws a configuration error naming the property")
    func invalidProducerValue() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.additionalProperties["linger.ms"] = "not-a-number"
        let error = try #require(throws: KafkaError.self) {
            try KafkaProducer.make(configuration: configuration, logger: KafkaTestSupport.logger)
        }
        #expect(error.code == .configuration)
        #expect(error.message.contains("linger.ms"))
    }

    @Test("a session timeout above the maximum poll interval is rejected by librdkafka")
    func inconsistentTimeouts() throws {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g")
        configuration.sessionTimeout = .seconds(60)
        configuration.maximumPollInterval = .seconds(10)
        let error = try #require(throws: KafkaError.self) {
            try KafkaConsumer.make(configuration: configuration, logger: KafkaTestSupport.logger)
        }
        #expect(error.code == .configuration)
        #expect(error.message.contains("max.poll.interval.ms"))
    }

    @Test("a zero session timeout is rejected before librdkafka sees it")
    func zeroSessionTimeout() throws {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: "127.0.0.1:1", groupID: "g")
        configuration.sessionTimeout = .zero
        let error = try #require(throws: KafkaError.self) {
            try KafkaConsumer.make(configuration: configuration, logger: KafkaTestSupport.logger)
        }
        #expect(error.message.contains("sessionTimeout"))
    }

    @Test("a zero transaction timeout is rejected before librdkafka sees it")
    func zeroTransactionTimeout() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.transactionTimeout = .zero
        configuration.transactionalID = "stocksentry-task-0"
        let error = try #require(throws: KafkaError.self) {
            try KafkaProducer.make(configuration: configuration, logger: KafkaTestSupport.logger)
        }
        #expect(error.message.contains("transactionTimeout"))
    }

    @Test("a transactional producer without idempotence is rejected by librdkafka")
    func transactionsNeedIdempotence() throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: "127.0.0.1:1")
        configuration.transactionalID = "stocksentry-task-0"
        configuration.enableIdempotence = false
        let error = try #require(throws: KafkaError.self) {
            try KafkaProducer.make(configuration: configuration, logger: KafkaTestSupport.logger)
        }
        #expect(error.code == .configuration)
        #expect(error.message.contains("idempotence"))
    }
}
