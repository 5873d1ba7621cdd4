import Kafka
import Testing

@Suite("KafkaDevBroker", .serialized)
struct KafkaDevBrokerTests {
    @Test("the dev broker reports a loopback bootstrap and creates topics with the asked partition count")
    func createsTopics() throws {
        let broker = try KafkaDevBroker.start(brokerCount: 2, logger: KafkaTestSupport.logger)
        #expect(broker.bootstrapServers.hasPrefix("127.0.0.1:"))
        #expect(broker.bootstrapServers.split(separator: ",").count == 2)

        let topic = KafkaTestSupport.uniqueName("broker-topic")
        try broker.createTopic(topic, partitions: 5, replicationFactor: 2)
        try broker.createTopic(topic, partitions: 5)  // existing: not an error

        let producer = try KafkaTestSupport.producer(broker)
        #expect(try producer.partitionCount(topic: topic, timeout: .seconds(10)) == 5)
    }

    @Test("an impossible topic specification throws a mockCluster error")
    func rejectsBadTopic() throws {
        let broker = try KafkaDevBroker.start(logger: KafkaTestSupport.logger)
        #expect {
            try broker.createTopic("bad", partitions: 1, replicationFactor: 3)
        } throws: { error in
            (error as? KafkaError)?.code == .mockCluster
        }
    }
}
