import Testing
@testable import CapstanAPI

@Suite struct JSONValueTests {
    @Test(arguments: [
        ("{\"a\":[1,2.5,\"x\",true,null],\"b\":{}}", "{\"a\":[1,2.5,\"x\",true,null],\"b\":{}}"),
        ("  [ ]  ", "[]"),
        ("\"\\u00e9\\n\\\"\"", "\"é\\n\\\"\""),
        ("\"\\ud83d\\ude00\"", "\"😀\""),
        ("-0.001", "-0.001"),
        ("1e3", "1000"),
    ])
    func roundTrips(input: String, expected: String) throws {
        #expect(try JSONValue.parse(input).jsonString == expected)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"abc", "01x", "1 2", "\"\\q\""])
    func rejectsMalformedInput(input: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(input) }
    }

    @Test func refusesHostileNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test func keysSerializeSorted() {
        let value: JSONValue = ["z": 1, "a": ["m": "x", "b": nil]]
        #expect(value.jsonString == "{\"a\":{\"b\":null,\"m\":\"x\"},\"z\":1}")
    }
}
