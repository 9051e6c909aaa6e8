import CapstanSupport
import Testing

@Suite struct JSONStringTests {
    private func quoted(_ text: String, escapingDelete: Bool = false) -> String {
        var out: [UInt8] = []
        JSONString.append(text, to: &out, escapingDelete: escapingDelete)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() {
        #expect(quoted(#"say "hi"\now"#) == #""say \"hi\"\\now""#)
        #expect(quoted("a\nb\rc\td\u{01}e\u{1f}") == #""a\nb\rc\td\u0001e\u001f""#)
        #expect(quoted("grüße ✓") == "\"grüße ✓\"")
    }

    @Test func escapesAtEitherEndAndBetweenPlainRuns() {
        #expect(quoted("") == #""""#)
        #expect(quoted("\"") == #""\"""#)
        #expect(quoted("\nplain") == #""\nplain""#)
        #expect(quoted("plain\\") == #""plain\\""#)
        #expect(quoted("a\"\"b\u{02}c") == #""a\"\"b\u0002c""#)
    }

    @Test func deleteIsEscapedOnlyWhenAsked() {
        #expect(quoted("a\u{7f}b") == "\"a\u{7f}b\"")
        #expect(quoted("a\u{7f}b", escapingDelete: true) == #""a\u007fb""#)
    }
}
