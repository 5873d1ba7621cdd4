import Testing

@testable import StockModel

@Suite struct JSONReaderTests {
    @Test("the reader decodes escapes, surrogate pairs, integers and doubles")
    func reader() throws {
        let value = try JSONReader.parse(Array(#" {"a":"\u00e9\ud83d\uded2\/","b":-12,"c":1.5e2,"d":[true,false,null],"e":{}} "#.utf8))
        guard case .object(let object) = value else {
            Issue.record("not an object")
            return
        }
        #expect(object["a"] == .string("é🛒/"))
        #expect(object["b"] == .integer(-12))
        #expect(object["c"] == .number(150))
        #expect(object["d"] == .array([.bool(true), .bool(false), .null]))
        #expect(object["e"] == .object(JSONObject(members: [])))
        #expect(try JSONReader.parse(Array("9223372036854775808".utf8)) == .number(9_223_372_036_854_775_808))
    }

    @Test(
        "syntax errors name the byte offset",
        arguments: [
            ("{\"a\" 1}", "unexpected character '1' at byte 5"),
            ("[1 2]", "unexpected character '2' at byte 3"),
            ("\"a\tb\"", "unexpected byte 0x09 at byte 2"),
            ("[", "unexpected end of input at byte 1"),
        ])
    func syntaxErrors(json: String, message: String) {
        #expect(throws: JSONReader.SyntaxError(message: message)) { try JSONReader.parse(Array(json.utf8)) }
    }
}
