import Testing

@testable import StockModel

@Suite struct JSONWriterTests {
    func string(_ value: String) -> String {
        var bytes: [UInt8] = []
        JSONWriter.appendString(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    func decimal(_ value: Double, _ decimals: Int) -> String {
        var bytes: [UInt8] = []
        JSONWriter.appendDecimal(value, decimals: decimals, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(
        "strings escape quotes, backslashes and control characters and pass UTF-8 through",
        arguments: [
            ("plain", #""plain""#),
            ("a\"b", #""a\"b""#),
            ("a\\b", #""a\\b""#),
            ("l1\nl2\r\t", #""l1\nl2\r\t""#),
            ("\u{0}\u{1F}\u{7F}", #""\u0000\u001f\u007f""#),
            ("库存 🛒", "\"库存 🛒\""),
        ])
    func escaping(input: String, expected: String) {
        #expect(string(input) == expected)
    }

    @Test(
        "decimals are rounded and printed the same way every time",
        arguments: [
            (0.0, 4, "0.0"), (1.0, 4, "1.0"), (0.12345, 4, "0.1235"), (0.5, 4, "0.5"), (2.005, 2, "2.01"),
            (-1.234, 2, "-1.23"), (-0.001, 2, "0.0"), (123456.789, 2, "123456.79"), (Double.nan, 2, "null"),
            (Double.infinity, 2, "null"), (1e20, 2, "1e+20"),
        ])
    func decimals(value: Double, decimals: Int, expected: String) {
        #expect(decimal(value, decimals) == expected)
    }

    @Test("written strings read back unchanged")
    func roundTrip() throws {
        let original = "quote \" backslash \\ control \u{1} tab \t 中文 🛒"
        var bytes: [UInt8] = []
        JSONWriter.appendString(original, to: &bytes)
        #expect(try JSONReader.parse(bytes) == .string(original))
    }
}
