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

    @Test func aKeyWrittenTwiceKeepsItsLastValue() throws {
        #expect(try JSONValue.parse(#"{"a":1,"b":{"c":1,"c":2},"a":3}"#) == ["a": 3, "b": ["c": 2]])
    }

    @Test(arguments: [
        ["name": "p", "spec": ["args": ["a\"b", "\u{01}\n"], "n": [1.5, -7, nil, true]]] as JSONValue,
        .string(String(repeating: "\\", count: 5000)),
        .array(Array(repeating: .number(-1.0e-300), count: 100)),
    ])
    func answersWhetherItSerializesPastALimitExactly(value: JSONValue) {
        let size = value.serialized().count
        #expect(value.serializes(moreThan: size - 1))
        #expect(!value.serializes(moreThan: size))
        #expect(!value.serializes(moreThan: 6 * size + 64))
    }

    @Test func keysSerializeSorted() {
        let value: JSONValue = ["z": 1, "a": ["m": "x", "b": nil]]
        #expect(value.jsonString == "{\"a\":{\"b\":null,\"m\":\"x\"},\"z\":1}")
    }

    @Test func skipsTheListedPathsAndKeepsTheRest() throws {
        let event = #"{"type":"MODIFIED","object":{"metadata":{"name":"p","managedFields":[{"x":"}]"}]},"spec":{"containers":[{"env":[{"value":"a\"}{b"}]}],"n":[1,{"k":[]}]},"status":{"phase":"Running"}}}"#
        let skipped = try JSONValue.parse(Array(event.utf8), skipping: JSONSkipList([["object", "spec"], ["object", "metadata", "managedFields"]]))
        var expected = try JSONValue.parse(event)
        expected["object"]?["spec"] = nil
        expected["object"]?["metadata"]?["managedFields"] = nil
        #expect(skipped == expected)
        #expect(skipped["object"]?["status"]?["phase"] == "Running")
        // A path that is not there, or that names a scalar, changes nothing.
        #expect(try JSONValue.parse(Array(event.utf8), skipping: JSONSkipList([["type", "x"], ["nothing"]])) == JSONValue.parse(event))
    }

    @Test func aHeldValueStandsInForTheTextWhenTheHolderSaysItStillApplies() throws {
        let event = #"{"type":"MODIFIED","object":{"metadata":{"generation":3},"spec":{"nodes":[{"name":"new"}]},"status":{"phase":"Running"}}}"#
        let held: JSONValue? = ["nodes": [["name": "held"]]]
        func parse(heldGeneration: Int) throws -> JSONValue {
            try JSONValue.parse(Array(event.utf8), skipping: JSONSkipList([], held: [(path: ["object", "spec"], value: { earlier in
                earlier["metadata"]?["generation"]?.intValue == heldGeneration ? held : nil
            })]))
        }
        // Same generation: the held spec, and the rest decoded as usual.
        let reused = try parse(heldGeneration: 3)
        #expect(reused["object"]?["spec"] == held)
        #expect(reused["object"]?["status"]?["phase"] == "Running")
        // Another generation: the text is decoded.
        #expect(try parse(heldGeneration: 2) == JSONValue.parse(event))
    }

    @Test(arguments: [#"{"a":{"b":[1,2}"#, #"{"a":"open"#, #"{"a":{"b":1}} x"#])
    func skippingStillRejectsBrokenDocuments(input: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(Array(input.utf8), skipping: JSONSkipList([["a"]])) }
    }
}
