import Foundation
import Testing

/// `stocksentry replay` against what a live `run` published, through the dev broker: from the
/// generator's file, from a `kcat -J` export of the topics and from the topics themselves.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct ReplayTests {
    static let partitions = 4

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// The `value` of every NDJSON line of a replay output file.
    static func values(_ path: String) throws -> [String] {
        try lines(path).map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return try #require(object?["value"] as? String)
        }
    }

    static func report(_ directory: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("report.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("live run and replays of the same records publish identical transitions")
    func liveEqualsReplay() async throws {
        let directory = try Harness.temporaryDirectory("replay")
        let broker = try await BrokerProcess(partitions: Self.partitions, directory: directory)
        let binary = try Harness.binary
        let generated = directory.appendingPathComponent("session.ndjson").path
        try Harness.run(binary, ["gen", "--seed", "5", "--duration-minutes", "10", "--output", generated])
        try Harness.run(binary, ["gen", "--seed", "5", "--duration-minutes", "10", "--bootstrap", broker.bootstrap])

        // Replay of the generator's file: records without a partition go where murmur2 puts them.
        let fromFile = directory.appendingPathComponent("from-file")
        let summary = try Harness.run(binary, ["replay", "--input", generated, "--partitions", String(Self.partitions),
                                               "--output-dir", fromFile.path]).stdout
        #expect(summary.contains("median warning lead"), "\(summary)")
        let replayed = try Self.values(fromFile.appendingPathComponent("transitions-default.ndjson").path)
        let deadLetters = try Self.values(fromFile.appendingPathComponent("deadletters.ndjson").path)
        #expect(replayed.count >= 5, "the session raises alerts and freezes")

        // As in GeneratedSessionTests: the merge waits for every partition, however slow the fetches on a loaded machine.
        let processor = try ChildProcess(name: "run", arguments: ["run", "--bootstrap", broker.bootstrap, "--group", "it-replay",
                                                                  "--max-task-idle-ms", "10000"],
                                         directory: directory)
        var live: [ConsumedRecord] = []
        try await Harness.waitUntil(.seconds(90), "\(replayed.count) transitions and \(deadLetters.count) dead letters") {
            live = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-alerts")
                + (try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-commands"))
            let dead = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-deadletter")
            return live.count >= replayed.count && dead.count >= deadLetters.count
        }
        #expect(try await processor.stop() == 0, "stderr: \(processor.standardError)")
        live = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-alerts")
            + (try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-commands"))
        let liveDead = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-deadletter").map(\.value)
        #expect(live.count == replayed.count, "no transition more or less")
        #expect(Set(live.map(\.value)) == Set(replayed), "same IDs and fields, byte for byte")
        #expect(liveDead.count == deadLetters.count)

        // Replay of a kcat -J export of the four input topics.
        var export = ""
        for topic in ["inventory", "orders", "carts", "interactions"] {
            export += try Harness.run("/usr/bin/kcat", ["-C", "-b", broker.bootstrap, "-t", topic, "-o", "beginning", "-e", "-J", "-q"]).stdout
        }
        let exportFile = directory.appendingPathComponent("export.ndjson").path
        try export.write(toFile: exportFile, atomically: true, encoding: .utf8)
        let fromExport = directory.appendingPathComponent("from-export")
        try Harness.run(binary, ["replay", "--input", exportFile, "--output-dir", fromExport.path])
        #expect(Set(try Self.values(fromExport.appendingPathComponent("transitions-default.ndjson").path)) == Set(live.map(\.value)))
        #expect(Set(try Self.values(fromExport.appendingPathComponent("deadletters.ndjson").path)) == Set(liveDead),
                "dead letters name the same source partitions and offsets")

        // Replay straight from the topics, with shadow topics.
        let fromTopics = directory.appendingPathComponent("from-topics")
        try Harness.run(binary, ["replay", "--bootstrap", broker.bootstrap, "--output-dir", fromTopics.path,
                                 "--output-topic-prefix", "shadow."])
        let topicTransitions = try String(contentsOfFile: fromTopics.appendingPathComponent("transitions-default.ndjson").path, encoding: .utf8)
        let exportTransitions = try String(contentsOfFile: fromExport.appendingPathComponent("transitions-default.ndjson").path, encoding: .utf8)
        #expect(topicTransitions == exportTransitions, "topics and their export replay to the same bytes")
        let shadow = try Kcat.consume(bootstrap: broker.bootstrap, topic: "shadow.stock-alerts")
            + (try Kcat.consume(bootstrap: broker.bootstrap, topic: "shadow.stock-commands"))
        #expect(Set(shadow.map(\.value)) == Set(live.map(\.value)))
        let liveAfter = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-alerts")
            + (try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-commands"))
        #expect(liveAfter.count == live.count, "the live topics are untouched")

        // A time range: exactly the records whose timestamps fall in [from, to).
        let timestamps = try Self.lines(exportFile).map { line -> (String, Int) in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (try #require(object["topic"] as? String), try #require(object["ts"] as? Int))
        }
        let first = try #require(timestamps.map(\.1).min())
        let (from, to) = (first + 3 * 60_000, first + 6 * 60_000 + 123)
        var expected: [String: Int] = ["inventory": 0, "orders": 0, "carts": 0, "interactions": 0]
        for (topic, ts) in timestamps where ts >= from && ts < to { expected[topic, default: 0] += 1 }
        let ranged = directory.appendingPathComponent("range")
        try Harness.run(binary, ["replay", "--bootstrap", broker.bootstrap, "--from", String(from), "--to", String(to),
                                 "--output-dir", ranged.path])
        let input = try #require(try Self.report(ranged)["input"] as? [String: Any])
        #expect(input["recordsByTopic"] as? [String: Int] == expected)
        #expect(try await broker.child.stop() == 0)
        try? FileManager.default.removeItem(at: directory)
    }

    @Test("two policies over a generated session: report files, side-by-side table, reconciliation, bad flags")
    func twoPolicies() throws {
        let directory = try Harness.temporaryDirectory("policies")
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = try Harness.binary
        let session = directory.appendingPathComponent("session.ndjson").path
        try Harness.run(binary, ["gen", "--seed", "3", "--duration-minutes", "20", "--output", session])
        let strict = directory.appendingPathComponent("strict.yaml").path
        try "version: 1\ntiers:\n  profit:\n    forecast_k: 3\n    freeze: { buffer_share: 0.1 }\n".write(toFile: strict, atomically: true, encoding: .utf8)
        let builtIn = Harness.repositoryRoot.appendingPathComponent("deploy/policy.example.json").path
        let out = directory.appendingPathComponent("out")
        let result = try Harness.run(binary, ["replay", "--input", session, "--policy", builtIn, "--policy", strict, "--output-dir", out.path])
        let header = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("policy") })
        #expect(header.contains("policy.example") && header.contains("strict"), "\(result.stdout)")
        for file in ["report.json", "report.html", "transitions-policy.example.ndjson", "transitions-strict.ndjson", "deadletters.ndjson"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file)")
        }
        let policies = try #require(try Self.report(out)["policies"] as? [[String: Any]])
        #expect(policies.map { $0["name"] as? String } == ["policy.example", "strict"])

        // The reconciliation of the same session, with a count file that misses one unit of one SKU.
        let reconciliation = directory.appendingPathComponent("reconciliation")
        let inspected = try #require(try Self.report(out)["skus"] as? [[String: Any]])
        let firstSKU = try #require(inspected.first)
        let sku = try #require(firstSKU["sku"] as? String)
        let expectedOnHand = try #require(firstSKU["closingStock"] as? Int) - (try #require(firstSKU["soldUnits"] as? Int))
        let counts = directory.appendingPathComponent("counts.csv").path
        try "sku,counted\n\(sku),\(expectedOnHand - 1)\n".write(toFile: counts, atomically: true, encoding: .utf8)
        let table = try Harness.run(binary, ["report", "--input", session, "--count-file", counts, "--output-dir", reconciliation.path]).stdout
        #expect(table.contains("动销率"), "\(table)")
        let csv = try String(contentsOf: reconciliation.appendingPathComponent("reconciliation.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == inspected.count + 1, "a header and one row per SKU")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: reconciliation.appendingPathComponent("reconciliation.json"))) as? [String: Any]
        let row = try #require((json?["rows"] as? [[String: Any]])?.first { $0["sku"] as? String == sku })
        #expect(row["countDifferenceUnits"] as? Int == -1, "\(row)")
        let badCount = directory.appendingPathComponent("bad.csv").path
        try "sku,counted\n\(sku),x\n".write(toFile: badCount, atomically: true, encoding: .utf8)
        let refused = try Harness.run(binary, ["report", "--input", session, "--count-file", badCount], expectSuccess: false)
        #expect(refused.status != 0 && refused.stderr.contains("bad.csv:2"), "\(refused.stderr)")

        let bad = try Harness.run(binary, ["replay", "--input", session, "--bootstrap", "x:1"], expectSuccess: false)
        #expect(bad.status != 0 && bad.stderr.contains("exactly one of them"), "\(bad.stderr)")
        let badTime = try Harness.run(binary, ["replay", "--input", session, "--from", "yesterday"], expectSuccess: false)
        #expect(badTime.status != 0 && badTime.stderr.contains("RFC 3339"), "\(badTime.stderr)")
        let missing = try Harness.run(binary, ["replay", "--input", directory.appendingPathComponent("nope").path], expectSuccess: false)
        #expect(missing.status != 0 && missing.stderr.contains("cannot be opened"), "\(missing.stderr)")
    }
}
