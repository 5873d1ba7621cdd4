import Kafka
import Logging

/// Produces a replay's transitions to shadow topics, so a team can point a downstream consumer at
/// what a policy would have published without touching the live topics.
public enum ReplayShadowTopics {
    /// The shadow topic for `topic` under `policyName`: `<prefix><topic>` with one policy,
    /// `<prefix><policy>.<topic>` with several.
    public static func name(prefix: String, policyName: String, policyCount: Int, topic: String) -> String {
        policyCount == 1 ? prefix + topic : prefix + policyName + "." + topic
    }

    /// Produces every policy's outputs (keyed by SKU, murmur2 partitioner, the output's event time as
    /// record timestamp) and waits for delivery.
    /// - Returns: records produced.
    /// - Throws: ``StockSentryError`` when a shadow topic would be a live topic, or Kafka fails.
    public static func produce(_ result: BacktestResult, bootstrapServers: String, prefix: String,
                               topics: StockSentryConfiguration.Topics, policyNames: [String], logger: Logger) async throws -> Int {
        let live = Set(topics.all)
        var plan: [(topic: String, output: ReplayOutput)] = []
        for (index, outputs) in result.outputs.enumerated() {
            for output in outputs {
                let shadow = name(prefix: prefix, policyName: policyNames[index], policyCount: result.outputs.count, topic: output.topic)
                guard !live.contains(shadow) else {
                    throw StockSentryError(.configuration, "--output-topic-prefix \(prefix): shadow topic \(shadow) is a live topic; choose another prefix")
                }
                plan.append((shadow, output))
            }
        }
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.additionalProperties = ["partitioner": "murmur2_random"]
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer.make(configuration: configuration, logger: logger)
        } catch {
            throw StockSentryError(.kafka, "shadow topics on \(bootstrapServers): cannot create a producer", cause: error as? KafkaError)
        }
        do {
            for (index, entry) in plan.enumerated() {
                try producer.send(topic: entry.topic, key: entry.output.key, value: entry.output.value,
                                  timestampMilliseconds: entry.output.time)
                if index % 1_000 == 999 { producer.poll() }
            }
            try await producer.flush(timeout: .seconds(60))
        } catch {
            throw StockSentryError(.kafka, "shadow topics on \(bootstrapServers): producing failed", cause: error as? KafkaError)
        }
        return plan.count
    }
}
