import Testing

import StockModel

@Suite struct EventTimeTests {
    @Test(
        "RFC 3339 timestamps parse to epoch milliseconds",
        arguments: [
            ("2026-11-23T08:30:00Z", Int64(1_795_422_600_000)),
            ("2026-11-23T08:30:00.123Z", 1_795_422_600_123),
            ("2026-11-23T08:30:00.5Z", 1_795_422_600_500),
            ("2026-11-23T08:30:00.123456789Z", 1_795_422_600_123),
            ("2026-11-23T16:30:00+08:00", 1_795_422_600_000),
            ("2026-11-23T03:00:00-05:30", 1_795_422_600_000),
            ("1970-01-01T00:00:00Z", 0),
            ("2024-02-29T00:00:00z", 1_709_164_800_000),
            ("2000-03-01t00:00:00Z", 951_868_800_000),
        ])
    func parses(text: String, milliseconds: Int64) {
        #expect(EventTime(rfc3339: text) == EventTime(millisecondsSinceEpoch: milliseconds))
    }

    @Test(
        "malformed or out-of-range RFC 3339 timestamps are refused",
        arguments: [
            "", "2026-11-23", "2026-11-23T08:30:00", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
            "2026-11-23T24:00:00Z", "2026-11-23T08:60:00Z", "2026-11-23T08:30:00.Z", "2026-11-23T08:30:00+0800",
            "2026-11-23T08:30:00Zjunk", "26-11-23T08:30:00Z", "2026-11-23T08:30:00+24:00",
        ])
    func refuses(text: String) {
        #expect(EventTime(rfc3339: text) == nil)
    }

    @Test("event times order by their milliseconds")
    func ordering() {
        #expect(EventTime(millisecondsSinceEpoch: 1) < EventTime(millisecondsSinceEpoch: 2))
    }
}
