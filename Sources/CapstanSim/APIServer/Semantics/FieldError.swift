import CapstanAPI

/// One entry of kube's `field.ErrorList`: the field path, the cause type that lands in
/// `details.causes[].reason`, and the body (`Invalid value: "x": detail`) that follows the
/// path in the message. Kept apart from `StatusError` so that validators can collect several.
struct FieldError: Sendable, Hashable {
    var field: String
    /// `FieldValueInvalid`, `FieldValueRequired`, ... (`metav1.CauseType`).
    var reason: String
    /// `ErrorBody()`: the type's words, the value for Invalid and Duplicate, then the detail.
    var body: String

    var message: String { "\(field): \(body)" }

    var cause: JSONValue { ["reason": .string(reason), "message": .string(body), "field": .string(field)] }

    static func invalid(_ field: String, value: String, _ detail: String) -> FieldError {
        FieldError(field: field, reason: "FieldValueInvalid", body: "Invalid value: \(goQuoted(value)): \(detail)")
    }

    static func required(_ field: String, _ detail: String = "") -> FieldError {
        FieldError(field: field, reason: "FieldValueRequired", body: detail.isEmpty ? "Required value" : "Required value: \(detail)")
    }

    static func duplicate(_ field: String, value: String) -> FieldError {
        FieldError(field: field, reason: "FieldValueDuplicate", body: "Duplicate value: \(goQuoted(value))")
    }

    /// kube 1.32 words a too-long value without repeating it.
    static func tooLong(_ field: String, maximumBytes: Int) -> FieldError {
        FieldError(field: field, reason: "FieldValueTooLong", body: "Too long: may not be more than \(maximumBytes) bytes")
    }

    /// Go's `%q` for the strings validation errors quote.
    static func goQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension StatusError {
    /// kube's `NewInvalid`: `KIND "NAME" is invalid: ERR` for one error, `[ERR, ERR]` for
    /// several (duplicates dropped, as `ToAggregate` does), one cause per error.
    static func invalid(_ resource: GroupResource, kind: String, name: String, errors: [FieldError]) -> StatusError {
        let qualified = resource.group.isEmpty ? kind : "\(kind).\(resource.group)"
        var messages: [String] = []
        for error in errors where !messages.contains(error.message) { messages.append(error.message) }
        let aggregate = messages.count == 1 ? messages[0] : "[" + messages.joined(separator: ", ") + "]"
        var details: JSONValue = ["name": .string(name), "kind": .string(kind), "causes": .array(errors.map(\.cause))]
        if !resource.group.isEmpty { details["group"] = .string(resource.group) }
        return StatusError(code: 422, reason: "Invalid", message: "\(qualified) \"\(name)\" is invalid: \(aggregate)",
                           details: details)
    }
}
