import Foundation
import Logging
import StockModel

/// A swift-log handler that writes one JSON object per line to standard error, for log shippers.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        var out: [UInt8] = []
        out.append(contentsOf: #"{"ts":"#.utf8)
        JSONWriter.appendString(Self.timestamp(), to: &out)
        out.append(contentsOf: #","level":"#.utf8)
        JSONWriter.appendString(event.level.rawValue, to: &out)
        out.append(contentsOf: #","logger":"#.utf8)
        JSONWriter.appendString(label, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONWriter.appendString(event.message.description, to: &out)
        for key in fields.keys.sorted() {
            out.append(UInt8(ascii: ","))
            JSONWriter.appendString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            JSONWriter.appendString(fields[key]!.description, to: &out)
        }
        out.append(contentsOf: "}\n".utf8)
        // One write(2) per line, so lines from concurrent loggers do not interleave.
        out.withUnsafeBufferPointer { buffer in
            _ = write(STDERR_FILENO, buffer.baseAddress, buffer.count)
        }
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var time = now.tv_sec
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(now.tv_nsec / 1_000_000))
    }
}
