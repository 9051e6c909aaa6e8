/// apimachinery's `util/validation` checks, returning its messages word for word (the
/// examples after "e.g." are joined with `,  or ` as its `RegexError` joins them).
enum ValidationRules {
    static let dns1123LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        + "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
        + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    static let dns1123SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
        + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
        + "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    private static let qualifiedNameMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start "
        + "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
        + "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
    private static let labelValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, "
        + "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
        + "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

    static func maxLength(_ length: Int) -> String { "must be no more than \(length) characters" }

    /// `IsDNS1123Label`.
    static func dns1123Label(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 63 { errors.append(maxLength(63)) }
        if !isLabel(Substring(value)) { errors.append(dns1123LabelMessage) }
        return errors
    }

    /// `IsDNS1123Subdomain`.
    static func dns1123Subdomain(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 253 { errors.append(maxLength(253)) }
        if !value.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isLabel) {
            errors.append(dns1123SubdomainMessage)
        }
        return errors
    }

    /// `IsQualifiedName`: label and annotation keys, `[prefix/]name`.
    static func qualifiedName(_ value: String) -> [String] {
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        var errors: [String] = []
        let name: Substring
        switch parts.count {
        case 1:
            name = parts[0]
        case 2:
            name = parts[1]
            if parts[0].isEmpty {
                errors.append("prefix part must be non-empty")
            } else {
                errors += dns1123Subdomain(String(parts[0])).map { "prefix part " + $0 }
            }
        default:
            return ["a qualified name " + qualifiedNameMessage
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
        }
        if name.isEmpty {
            errors.append("name part must be non-empty")
        } else if name.utf8.count > 63 {
            errors.append("name part " + maxLength(63))
        }
        if !isQualifiedNamePart(name) { errors.append("name part " + qualifiedNameMessage) }
        return errors
    }

    /// `IsValidLabelValue`.
    static func labelValue(_ value: String) -> [String] {
        var errors: [String] = []
        if value.utf8.count > 63 { errors.append(maxLength(63)) }
        if !value.isEmpty && !isQualifiedNamePart(Substring(value)) { errors.append(labelValueMessage) }
        return errors
    }

    // Both patterns are ASCII, so they are checked byte by byte: every create validates
    // its names and labels, and a Character's Unicode properties cost more than the write.

    /// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`.
    static func isLabel(_ part: Substring) -> Bool {
        let bytes = part.utf8
        guard let first = bytes.first, let last = bytes.last else { return false }
        return isLowerAlphanumeric(first) && isLowerAlphanumeric(last)
            && bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`.
    private static func isQualifiedNamePart(_ part: Substring) -> Bool {
        let bytes = part.utf8
        guard let first = bytes.first, let last = bytes.last else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last)
            && bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerAlphanumeric(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }
}
