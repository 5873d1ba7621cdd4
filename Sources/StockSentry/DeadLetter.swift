import Foundation
import Kafka
import StockModel

/// A rejected input record as published to `stock-deadletter`: where it came from, why, and its bytes.
public struct DeadLetter: Sendable, Equatable {
    public var sourceTopic: String
    public var sourcePartition: Int32
    public var sourceOffset: Int64
    public var sourceTimestampMilliseconds: Int64?
    public var key: [UInt8]?
    /// What was wrong, in words, prefixed with `topic[partition]@offset`.
    public var error: String
    public var value: [UInt8]

    public init(record: KafkaRecord, reason: String) {
        sourceTopic = record.topic
        sourcePartition = record.partition
        sourceOffset = record.offset
        sourceTimestampMilliseconds = record.timestampMilliseconds
        key = record.key
        error = "\(record.topic)[\(record.partition)]@\(record.offset): \(reason)"
        value = record.value
    }

    /// Appends the JSON object described by `Schemas/stock-deadletter.schema.json`.
    public func encodeJSON(into out: inout [UInt8]) {
        out.append(contentsOf: #"{"source_topic":"#.utf8)
        JSONWriter.appendString(sourceTopic, to: &out)
        out.append(contentsOf: #","source_partition":"#.utf8)
        out.append(contentsOf: String(sourcePartition).utf8)
        out.append(contentsOf: #","source_offset":"#.utf8)
        out.append(contentsOf: String(sourceOffset).utf8)
        out.append(contentsOf: #","source_timestamp":"#.utf8)
        if let sourceTimestampMilliseconds {
            out.append(contentsOf: String(sourceTimestampMilliseconds).utf8)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(contentsOf: #","key_base64":"#.utf8)
        if let key {
            JSONWriter.appendString(Data(key).base64EncodedString(), to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(contentsOf: #","error":"#.utf8)
        JSONWriter.appendString(error, to: &out)
        out.append(contentsOf: #","value_base64":"#.utf8)
        JSONWriter.appendString(Data(value).base64EncodedString(), to: &out)
        out.append(contentsOf: #","value_bytes":"#.utf8)
        out.append(contentsOf: String(value.count).utf8)
        out.append(UInt8(ascii: "}"))
    }
}
