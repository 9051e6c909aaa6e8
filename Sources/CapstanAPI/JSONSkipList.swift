/// Parts of a JSON document a reader does not want: key paths from the top (`["object",
/// "spec"]`) whose values are stepped over instead of decoded. A pod's spec is most of its
/// bytes; a controller that reads only metadata and status need not build it on every event.
///
/// A path may instead name a value the reader may already hold: `held` is asked, with the
/// fields of the enclosing object decoded before it, and the value it returns stands in for
/// the text, which is then only stepped over. A Workflow's spec is most of its bytes and
/// changes only with its `metadata.generation`, which comes before it.
public struct JSONSkipList: Sendable {
    /// The value the reader holds for a key, given the fields of its object decoded before
    /// it (in the order of the text); nil to decode the text.
    public typealias HeldValue = @Sendable (_ earlierFields: [String: JSONValue]) -> JSONValue?

    var children: [String: JSONSkipList] = [:]
    var skipsWhole = false
    var held: HeldValue?

    public init(_ paths: [[String]], held: [(path: [String], value: HeldValue)] = []) {
        for path in paths where !path.isEmpty { add(path[...], held: nil) }
        for rule in held where !rule.path.isEmpty { add(rule.path[...], held: rule.value) }
    }

    private mutating func add(_ path: ArraySlice<String>, held: HeldValue?) {
        guard let first = path.first else {
            if let held { self.held = held } else { skipsWhole = true }
            return
        }
        children[first, default: JSONSkipList([])].add(path.dropFirst(), held: held)
    }

    public var isEmpty: Bool { children.isEmpty }
}
