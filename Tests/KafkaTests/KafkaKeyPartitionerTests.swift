import Kafka
import Testing

@Suite struct KafkaKeyPartitionerTests {
    /// Values from Apache Kafka's `UtilsTest.testMurmur2`.
    @Test("murmur2 matches the Java client's", arguments: [
        ("21", Int32(-973_932_308)),
        ("foobar", -790_332_482),
        ("a-little-bit-long-string", -985_981_536),
        ("a-little-bit-longer-string", -1_486_304_829),
        ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
        ("abc", 479_470_107),
    ])
    func javaVectors(key: String, expected: Int32) {
        #expect(Int32(bitPattern: KafkaKeyPartitioner.murmur2(Array(key.utf8))) == expected)
    }

    @Test("partition is the positive hash modulo the partition count")
    func partition() {
        let hash = KafkaKeyPartitioner.murmur2(Array("foobar".utf8))
        #expect(KafkaKeyPartitioner.partition(key: Array("foobar".utf8), partitionCount: 8) == Int32((hash & 0x7fff_ffff) % 8))
        #expect(KafkaKeyPartitioner.partition(key: [UInt8](), partitionCount: 1) == 0)
    }
}
