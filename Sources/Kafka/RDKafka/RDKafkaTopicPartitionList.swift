import CRdKafka

/// Owns one `rd_kafka_topic_partition_list_t` and destroys it in `deinit`.
///
/// The C list is reachable only inside `withListPointer`; the pointer must not escape the closure.
/// Not `Sendable`: a list lives within one call.
final class RDKafkaTopicPartitionList {
    /// One element of a list, copied out of C memory.
    struct Entry {
        var topicPartition: KafkaTopicPartition
        var offset: Int64
        var error: rd_kafka_resp_err_t
    }

    private let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    /// An empty list with room for `capacity` elements (it grows as needed).
    init(capacity: Int = 1) {
        pointer = rd_kafka_topic_partition_list_new(Int32(clamping: max(1, capacity)))
    }

    /// A copy of a list owned by librdkafka (e.g. the one passed to the rebalance callback).
    init(copying list: UnsafePointer<rd_kafka_topic_partition_list_t>) {
        pointer = rd_kafka_topic_partition_list_copy(list)
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    /// Adds a partition, with an offset when one is given.
    func add(_ topicPartition: KafkaTopicPartition, offset: Int64? = nil) {
        let element = rd_kafka_topic_partition_list_add(pointer, topicPartition.topic, topicPartition.partition)
        if let offset { element?.pointee.offset = offset }
    }

    /// Sets every element's offset (e.g. to `RD_KAFKA_OFFSET_BEGINNING`).
    func setAllOffsets(_ offset: Int64) {
        for index in 0..<Int(pointer.pointee.cnt) {
            pointer.pointee.elems[index].offset = offset
        }
    }

    /// Sets the offset of each element named in `offsets`; other elements keep theirs.
    func setOffsets(_ offsets: [KafkaTopicPartition: Int64]) {
        for index in 0..<Int(pointer.pointee.cnt) {
            let element = pointer.pointee.elems[index]
            let topicPartition = KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)
            if let offset = offsets[topicPartition] {
                pointer.pointee.elems[index].offset = offset
            }
        }
    }

    /// The elements, copied into Swift values.
    var entries: [Entry] { Self.entries(of: pointer) }

    /// Runs `body` with the C list. The pointer is valid only during the call: do not store it.
    func withListPointer<Result>(
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws -> Result
    ) rethrows -> Result {
        try body(pointer)
    }

    /// Copies the elements of a list that someone else owns.
    static func entries(of list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [Entry] {
        (0..<Int(list.pointee.cnt)).map { index in
            let element = list.pointee.elems[index]
            return Entry(
                topicPartition: KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition),
                offset: element.offset,
                error: element.err
            )
        }
    }

    static func entries(of list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> [Entry] {
        entries(of: UnsafePointer(list))
    }
}
