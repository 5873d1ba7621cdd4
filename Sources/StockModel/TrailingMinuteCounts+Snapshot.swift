extension TrailingMinuteCounts {
    /// Writes the number of used buckets, each used bucket's minute and units in ring order, and the dropped units.
    /// A bucket's ring index is its minute modulo 30, so it is not written.
    func writeSnapshot(to writer: inout SnapshotWriter) {
        let used = (0..<Self.minutes).filter { bucketMinute($0) != Self.emptyMinute }
        writer.uint8(UInt8(used.count))
        for index in used {
            writer.int64(bucketMinute(index))
            writer.int64(bucketUnits(index))
        }
        writer.int64(droppedUnits)
    }

    /// Reads what ``writeSnapshot(to:)`` wrote.
    init(snapshotFrom reader: inout SnapshotReader, _ what: @autoclosure () -> String) throws(SnapshotDecodingError) {
        self.init()
        let start = reader.offset
        let count = Int(try reader.uint8("the bucket count of \(what())"))
        guard count <= Self.minutes else {
            throw reader.error("the bucket count of \(what()) is \(count), more than \(Self.minutes)", at: start)
        }
        let maximumMinute = SnapshotReader.maximumTimeMagnitude / 60_000
        var previousIndex = -1
        for _ in 0..<count {
            let bucketStart = reader.offset
            let minute = try reader.int64("a bucket minute of \(what())", in: -maximumMinute...maximumMinute)
            let index = Int(((minute % Int64(Self.minutes)) + Int64(Self.minutes)) % Int64(Self.minutes))
            guard index > previousIndex else {
                throw reader.error(
                    "bucket minute \(minute) of \(what()) is out of ring order (slot \(index) after \(previousIndex))",
                    at: bucketStart)
            }
            previousIndex = index
            setBucketMinute(index, to: minute)
            setBucketUnits(index, to: try reader.int64("the units of minute \(minute) of \(what())"))
        }
        droppedUnits = try reader.int64("the dropped units of \(what())")
    }
}
