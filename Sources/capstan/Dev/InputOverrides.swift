import CapstanAPI

/// `capstan dev --input NAME=VALUE`: replaces one of the workflow's `spec.inputs`. VALUE is
/// read as JSON when it parses (`3`, `true`, `[1,2]`, `"quoted"`), else taken as a plain string,
/// so `--input name=world` and `--input rates=[0.1,0.01]` both do what they look like.
public struct InputOverride: Sendable, Hashable {
    public var name: String
    public var value: JSONValue

    public init(name: String, value: JSONValue) {
        self.name = name
        self.value = value
    }

    /// Parses `NAME=VALUE`; the error says what was expected.
    public init(parsing text: String) throws(InputOverrideError) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw InputOverrideError("--input \"\(text)\": expected NAME=VALUE")
        }
        name = String(text[..<equals])
        let raw = String(text[text.index(after: equals)...])
        value = (try? JSONValue.parse(raw)) ?? .string(raw)
    }

    /// The workflow object with each override put into `spec.inputs`. A name the workflow does
    /// not declare is an error listing the names it does, since a typo would otherwise be
    /// silently ignored.
    public static func apply(_ overrides: [InputOverride], to workflow: JSONValue) throws(InputOverrideError) -> JSONValue {
        guard !overrides.isEmpty else { return workflow }
        var spec = workflow["spec"]?.objectValue ?? [:]
        var inputs = spec["inputs"]?.objectValue ?? [:]
        for override in overrides {
            guard inputs[override.name] != nil else {
                let known = inputs.keys.sorted()
                let hint = known.isEmpty
                    ? "the workflow declares no inputs"
                    : "the workflow's inputs are \(known.joined(separator: ", "))"
                throw InputOverrideError("--input \(override.name): spec.inputs has no \"\(override.name)\"; \(hint)")
            }
            inputs[override.name] = override.value
        }
        spec["inputs"] = .object(inputs)
        var result = workflow.objectValue ?? [:]
        result["spec"] = .object(spec)
        return .object(result)
    }
}

public struct InputOverrideError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
