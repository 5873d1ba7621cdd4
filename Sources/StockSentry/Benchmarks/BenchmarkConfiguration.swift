/// What `stocksentry bench` measures and how hard it pushes, with documented defaults.
public struct BenchmarkConfiguration: Sendable {
    /// A benchmark scenario.
    public enum Scenario: String, Sendable, CaseIterable {
        /// Generated records through decode, ledger, rules and output encoding on one core, no Kafka.
        case replay
        /// The processor through a dev broker beside a raw librdkafka consumer of the same records.
        case live
        /// From an order's produce to its freeze command being readable downstream, at fixed rates.
        case latency
        /// A flash sale where every input sells out a SKU: output records per second through the output producer.
        case outputs
        /// Resident bytes per active SKU.
        case memory
        /// Time to restore a task of many SKUs from its data directory (snapshot, and whole log).
        case recovery
    }

    /// Scenarios to run, in order. Default: all.
    public var scenarios: [Scenario] = Scenario.allCases
    /// The generated session the replay and live scenarios use. Default: seed 42, 60 minutes, 100 SKUs per tier.
    public var session: LiveSessionConfiguration = {
        var session = LiveSessionConfiguration()
        session.duration = .seconds(60 * 60)
        session.skusPerTier = 100
        return session
    }()
    /// Times the replay pass is repeated; the best run is reported. Default: 3.
    public var replayRepeats = 3
    /// Partitions per topic on the dev broker. Default: 4.
    public var partitions = 4
    /// Offered load of the latency scenario, in input events per second. Default: 1k, 10k, 50k.
    public var latencyRates: [Int] = [1_000, 10_000, 50_000]
    /// How long each latency rate runs. Default: 10 s.
    public var latencyDuration: Duration = .seconds(10)
    /// Sell-out orders (each followed by a freeze) per second within the latency load. Default: 200.
    public var latencyProbesPerSecond = 200
    /// `fetch.wait.max.ms` of the consumers in the latency scenario. Default: 50 ms, the consumers' own default.
    public var latencyFetchWait: Duration = .milliseconds(50)
    /// SKUs sold out in the outputs scenario, one order each. Default: 50,000.
    public var outputSKUs = 50_000
    /// The output producer's batching in the processors of the live, latency and outputs scenarios.
    /// Default: the processor's own default.
    public var outputBatching = StockSentryConfiguration.OutputBatching()
    /// ``StockSentryConfiguration/taskThreads`` of the processors in the live, latency and outputs
    /// scenarios. Default: the processor's own default.
    public var taskThreads = StockSentryConfiguration.defaultTaskThreads
    /// SKUs the memory scenario creates. Default: 1,000,000.
    public var memorySKUs = 1_000_000
    /// SKUs in the task the recovery scenario restores. Default: 100,000.
    public var recoverySKUs = 100_000

    public init() {}
}
