import Foundation
import StockModel

/// One line of a recorded session file: a Kafka record as `stocksentry gen` writes it or `kcat -J` exports it.
public struct NDJSONRecord: Sendable, Equatable {
    public var topic: String
    public var key: [UInt8]?
    /// The partition, when the line names it.
    public var partition: Int32?
    /// The offset, when the line names it (`kcat -J` does; `gen` does not).
    public var offset: Int64?
    /// The record timestamp, Unix epoch ms, when the line has one.
    public var timestamp: Int64?
    /// The payload bytes; empty for a null payload.
    public var value: [UInt8]
    /// 1-based line number in its file.
    public var line: Int
}

/// Streams a session file of NDJSON records, one per line, without loading the file whole.
///
/// Two shapes are read, so an export needs no conversion:
/// - `stocksentry gen`: `{"topic","key","partition","timestamp","value"}` (`partition` may be null);
/// - `kcat -C -J`: `{"topic","partition","offset","tstype","ts","broker","key","payload"}`.
/// `value`/`payload` is the record's payload as a JSON string (null for a null payload). A line that
/// is not such an object stops the read with its file and line: a damaged export is fixed, not guessed.
/// Blank lines are skipped.
public struct NDJSONRecordReader {
    private let path: String

    public init(path: String) {
        self.path = path
    }

    /// Calls `body` with each record in file order.
    /// - Throws: ``StockSentryError`` (`.io` for an unreadable file, `.configuration` for a bad line), or what `body` throws.
    public func forEach(_ body: (NDJSONRecord) throws -> Void) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StockSentryError(.io, "input file \(path): cannot be opened; check the path and its permissions")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var line = 0
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw StockSentryError(.io, "input file \(path): read failed after line \(line)", cause: error as NSError)
            }
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                line += 1
                try parseLine(pending[start..<newline], line: line, body)
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty {
            line += 1
            try parseLine(pending[...], line: line, body)
        }
    }

    private func parseLine(_ bytes: ArraySlice<UInt8>, line: Int, _ body: (NDJSONRecord) throws -> Void) throws {
        var slice = bytes
        while let last = slice.last, last == 0x0D || last == 0x20 || last == 0x09 { slice.removeLast() }
        while let first = slice.first, first == 0x20 || first == 0x09 { slice.removeFirst() }
        if slice.isEmpty { return }
        let where_ = "input file \(path):\(line)"
        let parsed: Result<JSONValue, JSONReader.SyntaxError> = slice.withUnsafeBytes { buffer in
            do throws(JSONReader.SyntaxError) {
                return .success(try JSONReader.parse(buffer))
            } catch {
                return .failure(error)
            }
        }
        let value: JSONValue
        switch parsed {
        case .success(let parsedValue): value = parsedValue
        case .failure(let error):
            throw StockSentryError(.configuration, "\(where_): not a JSON object: \(error.message); each line must be one record (the shape `stocksentry gen` writes or `kcat -J` prints)")
        }
        guard case .object(let object) = value else {
            throw StockSentryError(.configuration, "\(where_): expected a JSON object, got \(value.shortDescription)")
        }
        guard case .string(let topic)? = object["topic"] else {
            throw StockSentryError(.configuration, "\(where_): \"topic\" must be a string, got \(object["topic"]?.shortDescription ?? "nothing")")
        }
        let key: [UInt8]?
        switch object["key"] {
        case nil, .null?: key = nil
        case .string(let text)?: key = Array(text.utf8)
        case let other?: throw StockSentryError(.configuration, "\(where_): \"key\" must be a string or null, got \(other.shortDescription)")
        }
        let payloadField = object["value"] != nil ? "value" : "payload"
        let payload: [UInt8]
        switch object[payloadField] {
        case .null?: payload = []
        case .string(let text)?: payload = Array(text.utf8)
        case nil: throw StockSentryError(.configuration, "\(where_): needs \"value\" (gen) or \"payload\" (kcat -J) with the record's payload as a string")
        case let other?: throw StockSentryError(.configuration, "\(where_): \"\(payloadField)\" must be the payload as a JSON string, got \(other.shortDescription)")
        }
        let partition = try Self.integer(object["partition"], "partition", where_, range: 0...Int64(Int32.max))
        let offset = try Self.integer(object["offset"], "offset", where_, range: 0...Int64.max)
        let timestamp = try Self.integer(object["timestamp"] ?? object["ts"], object["timestamp"] != nil ? "timestamp" : "ts", where_,
                                         range: Int64.min...Int64.max)
        try body(NDJSONRecord(topic: topic, key: key, partition: partition.map { Int32($0) }, offset: offset,
                              timestamp: timestamp, value: payload, line: line))
    }

    private static func integer(_ value: JSONValue?, _ name: String, _ where_: String, range: ClosedRange<Int64>) throws -> Int64? {
        switch value {
        case nil, .null?: return nil
        case .integer(let number)? where range.contains(number): return number
        case let other?:
            throw StockSentryError(.configuration, "\(where_): \"\(name)\" must be an integer in \(range.lowerBound)...\(range.upperBound) or null, got \(other.shortDescription)")
        }
    }
}
