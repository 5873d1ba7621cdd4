import Foundation
import Testing

/// A bad flag, a bad policy file or a bad topology stops the command with a message saying what to fix.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CommandLineTests {
    @Test("a bad flag names the flag and the accepted range", arguments: [
        (["broker", "--partitions", "0"], "--partitions must be between 1 and 256, got 0"),
        (["run", "--bootstrap", "127.0.0.1:1", "--max-task-idle-ms=-1"], "--max-task-idle-ms must be between 0 and 60000"),
        (["run", "--bootstrap", "127.0.0.1:1", "--task-threads", "0"], "--task-threads must be between 1 and 256, got 0"),
        (["run", "--bootstrap", "127.0.0.1:1", "-X", "novalue"], "-X takes key=value"),
        (["run", "--bootstrap", "127.0.0.1:1", "--output-linger-ms=-1"], "--output-linger-ms must be between 0 and 900000, got -1"),
        (["run", "--bootstrap", "127.0.0.1:1", "--output-batch-records", "0"], "--output-batch-records must be between 1 and 1000000, got 0"),
        (["run", "--bootstrap", "127.0.0.1:1", "--log-format", "xml"], "--log-format must be text or json"),
        (["gen", "--duration-minutes", "0"], "--duration-minutes must be between 1 and 1440"),
    ])
    func badFlag(arguments: [String], message: String) throws {
        let result = try Harness.run(try Harness.binary, arguments, expectSuccess: false)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test("a missing or invalid policy file stops `run` with the file and the bad field's path")
    func badPolicy() throws {
        let directory = try Harness.temporaryDirectory("policy")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = try Harness.run(try Harness.binary, ["run", "--bootstrap", "127.0.0.1:1", "--policy", directory.path + "/nope.yaml"],
                                      expectSuccess: false)
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("nope.yaml"), "stderr: \(missing.stderr)")

        let bad = directory.appendingPathComponent("bad.yaml")
        try "tiers:\n  profit:\n    share_levels:\n      warning: 1.5\n".write(to: bad, atomically: true, encoding: .utf8)
        let invalid = try Harness.run(try Harness.binary, ["run", "--bootstrap", "127.0.0.1:1", "--policy", bad.path], expectSuccess: false)
        #expect(invalid.status != 0)
        #expect(invalid.stderr.contains("tiers.profit.share_levels.warning"), "stderr: \(invalid.stderr)")
    }

    @Test("`run` refuses input topics that are not co-partitioned, naming each topic's partition count")
    func notCoPartitioned() async throws {
        let directory = try Harness.temporaryDirectory("copart")
        let broker = try await BrokerProcess(partitions: 2, directory: directory)
        // kcat auto-creates a topic with the mock cluster's default partition count, not 2.
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "orders-elsewhere",
                         lines: [#"SKU-A|{"event_id":"e1","order_id":"o1","sku":"SKU-A","qty":1,"status":"paid","ts":1}"#])
        let counts = try Harness.run("/usr/bin/kcat", ["-L", "-b", broker.bootstrap, "-t", "orders-elsewhere"]).stdout
        try #require(!counts.contains(" 2 partitions"), "the mock cluster auto-created the topic with 2 partitions; pick another count: \(counts)")
        let result = try Harness.run(try Harness.binary,
                                     ["run", "--bootstrap", broker.bootstrap, "--orders-topic", "orders-elsewhere"], expectSuccess: false)
        #expect(result.status != 0)
        #expect(result.stderr.contains("not co-partitioned"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("orders-elsewhere has"), "stderr: \(result.stderr)")
        #expect(try await broker.child.stop() == 0)
        try? FileManager.default.removeItem(at: directory)
    }
}
