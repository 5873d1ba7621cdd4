import Foundation
import Testing

/// Paths and helpers for tests that drive the real `stocksentry` binary, `kcat` and Python.
enum Harness {
    /// The repository root, found from this file's location.
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `stocksentry` binary built next to this test bundle.
    static var binary: String {
        get throws {
            let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            let candidate = executable.deletingLastPathComponent().appendingPathComponent("stocksentry").path
            guard FileManager.default.isExecutableFile(atPath: candidate) else {
                throw HarnessError("no stocksentry binary at \(candidate); run `swift build` before `swift test` (the README's test command does)")
            }
            return candidate
        }
    }

    /// The Python of the repository's venv (created by scripts/python-env.sh).
    static var python: String {
        get throws {
            let path = repositoryRoot.appendingPathComponent(".venv/bin/python").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw HarnessError("no Python venv at \(path); run scripts/python-env.sh (the README's test command does)")
            }
            return path
        }
    }

    static var kafkacheck: String { repositoryRoot.appendingPathComponent("scripts/kafkacheck.py").path }
    static var schemas: String { repositoryRoot.appendingPathComponent("Schemas").path }

    /// A fresh temporary directory for one test.
    static func temporaryDirectory(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("stocksentry-it-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs a short-lived command to completion and returns its standard output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], input: Data? = nil,
                    expectSuccess: Bool = true) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let directory = try temporaryDirectory("cmd")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (outURL, errURL) = try redirectOutput(of: process, into: directory, name: "cmd")
        if let input {
            let inURL = directory.appendingPathComponent("in")
            try input.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        if expectSuccess && process.terminationStatus != 0 {
            throw HarnessError("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(stderr)")
        }
        return (process.terminationStatus, stdout, stderr)
    }

    /// Sends a process's standard output and error to `<name>.out` and `<name>.err` in `directory`.
    static func redirectOutput(of process: Process, into directory: URL, name: String) throws -> (out: URL, err: URL) {
        let out = directory.appendingPathComponent("\(name).out")
        let err = directory.appendingPathComponent("\(name).err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        return (out, err)
    }

    /// Polls `condition` every 200 ms until it holds or `timeout` passes.
    static func waitUntil(_ timeout: Duration, _ what: String, _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw HarnessError("timed out after \(timeout) waiting for \(what)")
    }
}

struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A long-running child process (broker or processor) whose output goes to files in its directory.
final class ChildProcess {
    let process = Process()
    let directory: URL
    let name: String

    init(name: String, arguments: [String], directory: URL) throws {
        self.name = name
        self.directory = directory
        process.executableURL = URL(fileURLWithPath: try Harness.binary)
        process.arguments = arguments
        _ = try Harness.redirectOutput(of: process, into: directory, name: name)
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var standardError: String {
        (try? String(contentsOf: directory.appendingPathComponent("\(name).err"), encoding: .utf8)) ?? ""
    }

    var standardOutput: String {
        (try? String(contentsOf: directory.appendingPathComponent("\(name).out"), encoding: .utf8)) ?? ""
    }

    /// Sends `signal` and waits for the exit; returns the exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async throws -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw HarnessError("\(name) did not exit within \(timeout) of signal \(signal); stderr: \(standardError)")
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// `stocksentry broker` started for one test.
final class BrokerProcess {
    let child: ChildProcess
    let bootstrap: String

    init(partitions: Int, directory: URL) async throws {
        let file = directory.appendingPathComponent("bootstrap").path
        child = try ChildProcess(name: "broker", arguments: ["broker", "--partitions", String(partitions), "--bootstrap-file", file],
                                 directory: directory)
        try await Harness.waitUntil(.seconds(20), "the dev broker's bootstrap file") {
            FileManager.default.fileExists(atPath: file)
        }
        bootstrap = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// One record as read back by a client nobody here wrote.
struct ConsumedRecord: Sendable {
    var topic: String
    var partition: Int
    var offset: Int
    var key: String?
    var value: String

    /// The value parsed as a JSON object.
    var object: [String: Any] {
        get throws {
            guard let object = try JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any] else {
                throw HarnessError("\(topic)[\(partition)]@\(offset) is not a JSON object: \(value)")
            }
            return object
        }
    }
}

enum Kcat {
    /// Produces `lines` ("key|json") to `topic` with kcat.
    static func produce(bootstrap: String, topic: String, lines: [String]) throws {
        let input = Data((lines.joined(separator: "\n") + "\n").utf8)
        try Harness.run("/usr/bin/kcat", ["-P", "-b", bootstrap, "-t", topic, "-K", "|", "-X", "enable.idempotence=true"], input: input)
    }

    /// Reads every partition of `topic` from the beginning to its end, as a read_committed consumer.
    static func consume(bootstrap: String, topic: String) throws -> [ConsumedRecord] {
        let result = try Harness.run("/usr/bin/kcat", ["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-J", "-q",
                                                         "-X", "isolation.level=read_committed"])
        return try result.stdout.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw HarnessError("kcat printed a line that is not JSON: \(line)")
            }
            return ConsumedRecord(topic: object["topic"] as? String ?? topic,
                                  partition: object["partition"] as? Int ?? -1,
                                  offset: object["offset"] as? Int ?? -1,
                                  key: object["key"] as? String,
                                  value: object["payload"] as? String ?? "")
        }
    }
}

enum KafkaCheck {
    /// Validates NDJSON (the kafkacheck shape) against Schemas/ with Python's jsonschema.
    static func validate(ndjson: String, expectInvalid: Int = 0) throws -> String {
        let result = try Harness.run(try Harness.python,
                                     [Harness.kafkacheck, "validate", "--schemas", Harness.schemas, "--expect-invalid", String(expectInvalid)],
                                     input: Data(ndjson.utf8), expectSuccess: false)
        guard result.status == 0 else {
            throw HarnessError("schema validation failed (expected \(expectInvalid) invalid):\n\(result.stdout)\(result.stderr)")
        }
        return result.stdout
    }

    /// Reads topics with confluent-kafka as a read_committed consumer until idle.
    static func consume(bootstrap: String, topics: [String], idleSeconds: Double = 3) throws -> [ConsumedRecord] {
        var arguments = [Harness.kafkacheck, "consume", "--bootstrap", bootstrap, "--isolation", "read_committed",
                         "--idle-timeout", String(idleSeconds)]
        for topic in topics { arguments += ["--topic", topic] }
        let result = try Harness.run(try Harness.python, arguments)
        return try result.stdout.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw HarnessError("kafkacheck printed a line that is not JSON: \(line)")
            }
            return ConsumedRecord(topic: object["topic"] as? String ?? "", partition: object["partition"] as? Int ?? -1,
                                  offset: object["offset"] as? Int ?? -1, key: object["key"] as? String,
                                  value: object["value"] as? String ?? "")
        }
    }

    /// Produces NDJSON records with confluent-kafka.
    static func produce(bootstrap: String, ndjsonFile: String) throws {
        try Harness.run(try Harness.python, [Harness.kafkacheck, "produce", "--bootstrap", bootstrap, "--file", ndjsonFile])
    }

    /// NDJSON in the shape `validate` reads.
    static func ndjson(_ records: [ConsumedRecord]) throws -> String {
        try records.map { record in
            let object: [String: Any] = ["topic": record.topic, "partition": record.partition, "offset": record.offset,
                                         "key": record.key as Any? ?? NSNull(), "value": record.value]
            return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }
}
