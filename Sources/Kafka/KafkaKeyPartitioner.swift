/// The partition Kafka's Java producer (and librdkafka's `murmur2`/`murmur2_random` partitioners)
/// assigns a keyed record: `(murmur2(key) & 0x7fffffff) % partitionCount`.
///
/// A replay of records exported without their partition needs it to rebuild the same tasks the live
/// run had; StockSentry's own producers (`gen`, the demo) use `murmur2_random`.
public enum KafkaKeyPartitioner {
    /// The partition of `key` among `partitionCount` partitions; `partitionCount` must be ≥ 1.
    public static func partition(key: some Collection<UInt8>, partitionCount: Int) -> Int32 {
        precondition(partitionCount >= 1, "partitionCount must be ≥ 1")
        return Int32(Int(murmur2(key) & 0x7fff_ffff) % partitionCount)
    }

    /// Kafka's 32-bit MurmurHash2 (seed 0x9747b28c), as `org.apache.kafka.common.utils.Utils.murmur2`.
    public static func murmur2(_ key: some Collection<UInt8>) -> UInt32 {
        let m: UInt32 = 0x5bd1_e995
        let bytes = Array(key)
        let length = bytes.count
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        var index = 0
        while index + 4 <= length {
            var k = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16
                | UInt32(bytes[index + 3]) << 24
            k = k &* m
            k ^= k >> 24
            k = k &* m
            h = h &* m
            h ^= k
            index += 4
        }
        let tail = length & 3
        if tail == 3 { h ^= UInt32(bytes[index + 2]) << 16 }
        if tail >= 2 { h ^= UInt32(bytes[index + 1]) << 8 }
        if tail >= 1 {
            h ^= UInt32(bytes[index])
            h = h &* m
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }
}
