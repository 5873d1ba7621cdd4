import Foundation
import Testing

/// `run --delivery exactly-once` on the dev broker. The mock cluster runs the transactional
/// protocol (init, begin, offsets, commit) but writes no markers and keeps no transactional
/// offsets, so this shows the path works and publishes exactly the model's outputs; the crash
/// guarantees are `CrashRecoveryTests`' real-Kafka test.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ExactlyOnceTests {
    @Test("one transactional producer per task publishes what a replay of the same records gives")
    func transactionalRun() async throws {
        let directory = try Harness.temporaryDirectory("eos")
        let broker = try await BrokerProcess(partitions: 2, directory: directory)
        let binary = try Harness.binary
        let session = directory.appendingPathComponent("session.ndjson").path
        try Harness.run(binary, ["gen", "--seed", "9", "--duration-minutes", "8", "--output", session])
        try Harness.run(binary, ["gen", "--seed", "9", "--duration-minutes", "8", "--bootstrap", broker.bootstrap])
        let replay = directory.appendingPathComponent("replay")
        try Harness.run(binary, ["replay", "--input", session, "--partitions", "2", "--output-dir", replay.path])
        let expected = try ReplayTests.values(replay.appendingPathComponent("transitions-default.ndjson").path)

        let processor = try ChildProcess(name: "run-eos", arguments: [
            "run", "--bootstrap", broker.bootstrap, "--group", "eos", "--delivery", "exactly-once",
            "--max-task-idle-ms", "10000", "--data-dir", directory.appendingPathComponent("data").path,
        ], directory: directory)
        var published: [ConsumedRecord] = []
        try await Harness.waitUntil(.seconds(60), "\(expected.count) transitions visible to read_committed") {
            published = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-alerts")
                + (try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-commands"))
            return published.count >= expected.count
        }
        #expect(try await processor.stop() == 0, "stderr: \(processor.standardError)")
        #expect(processor.standardError.contains("transactional_id=eos-task-0"))
        #expect(processor.standardError.contains("transactional_id=eos-task-1"))
        #expect(published.count == expected.count)
        #expect(Set(published.map(\.value)) == Set(expected))

        let bad = try Harness.run(binary, ["run", "--bootstrap", broker.bootstrap, "--delivery", "twice"], expectSuccess: false)
        #expect(bad.status != 0 && bad.stderr.contains("--delivery must be at-least-once or exactly-once"), "\(bad.stderr)")
        #expect(try await broker.child.stop() == 0)
        try? FileManager.default.removeItem(at: directory)
    }
}
