import CapstanAPI
import CapstanEngine
import Testing

/// Hostile input must fail with a located error, never exhaust the stack.
struct ExpressionDepthTests {
    static let limit = Condition.maximumDepth
    static let hostileSize = 100_000

    struct Hostile: Sendable, CustomTestStringConvertible {
        var name: String
        var source: String
        var testDescription: String { name }
    }

    static let hostile: [Hostile] = [
        Hostile(name: "parentheses", source: String(repeating: "(", count: hostileSize) + "true"
            + String(repeating: ")", count: hostileSize)),
        Hostile(name: "unclosed parentheses", source: String(repeating: "(", count: hostileSize)),
        Hostile(name: "negations", source: String(repeating: "!", count: hostileSize) + "true"),
        Hostile(name: "unary minus", source: String(repeating: "-", count: hostileSize) + "1 == 1"),
        Hostile(name: "lists", source: String(repeating: "[", count: hostileSize)),
        Hostile(name: "indexes", source: "inputs.x" + String(repeating: "[inputs.x", count: hostileSize)),
        Hostile(name: "size calls", source: String(repeating: "size(", count: hostileSize)),
        Hostile(name: "alternating", source: String(repeating: "!(", count: hostileSize)),
        Hostile(name: "addition chain", source: Array(repeating: "1", count: hostileSize).joined(separator: " + ") + " > 0"),
        Hostile(name: "comparison chain", source: Array(repeating: "true", count: hostileSize).joined(separator: " == ")),
    ]

    @Test(arguments: hostile)
    func deepNestingIsRejectedWithAColumn(_ c: Hostile) {
        let error = #expect(throws: ExpressionError.self) { try Condition.parse(c.source) }
        #expect(error?.kind == .tooDeep)
        #expect(error?.message == "the condition is nested too deeply (more than \(Self.limit) levels); simplify it")
        #expect((error?.column ?? 0) > 1)
        #expect((error?.column ?? .max) < 2_000)
    }

    @Test func nestingUpToTheLimitWorks() throws {
        let parens = String(repeating: "(", count: Self.limit) + "1 == 1" + String(repeating: ")", count: Self.limit)
        #expect(try Condition.parse(parens).evaluate(ExpressionValues()))
        let negations = String(repeating: "!", count: Self.limit - 1) + "false"
        #expect(try Condition.parse(negations).evaluate(ExpressionValues()) == ((Self.limit - 1) % 2 == 1))
        let tooMany = String(repeating: "(", count: Self.limit + 1) + "true" + String(repeating: ")", count: Self.limit + 1)
        let error = #expect(throws: ExpressionError.self) { try Condition.parse(tooMany) }
        #expect(error?.column == Self.limit + 1)
    }

    /// `&&` / `||` chains and lists are flat, so their length is not nesting.
    @Test func longFlatChainsAreFine() throws {
        let length = 2 * Self.limit * Self.limit
        let ands = Array(repeating: "inputs.flag", count: length).joined(separator: " && ")
        let scope = ExpressionValues(inputs: ["flag": true, "n": 3])
        #expect(try Condition.parse(ands).evaluate(scope))
        let ors = Array(repeating: "inputs.n == 1", count: length).joined(separator: " || ") + " || inputs.n == 3"
        #expect(try Condition.parse(ors).evaluate(scope))
        let list = "inputs.n in [" + (0..<length).map(String.init).joined(separator: ", ") + "]"
        #expect(try Condition.parse(list).evaluate(scope))
    }

    @Test func longReferencePathsAndTemplates() throws {
        // Accessors are a flat list, so a long path is not nesting.
        let path = "inputs.x" + String(repeating: ".a", count: Self.hostileSize)
        #expect(try Reference.parse(path).accessors.count == Self.hostileSize)
        let text = String(repeating: "{{ index }},", count: 10_000)
        let rendered = try Template.parse(text).render(ExpressionValues(index: 7))
        #expect(rendered == .string(String(repeating: "7,", count: 10_000)))
        let opens = String(repeating: "{{", count: Self.hostileSize)
        let error = #expect(throws: ExpressionError.self) { try Template.parse(opens) }
        #expect(error?.column == 1)
    }
}
