extension String {
    /// Decodes a NUL-terminated C string that librdkafka wrote into `buffer` (an `errstr`).
    init(errorBuffer buffer: [CChar]) {
        self = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
