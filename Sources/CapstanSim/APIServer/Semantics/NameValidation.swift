/// Name rules kube enforces on create: DNS-1123 subdomains for most kinds, DNS-1123 labels for
/// namespaces, and only "no slash, no percent" for RBAC objects (which allow `system:` names).
enum NameValidation {
    static func validate(name: String, type: ResourceType) throws(StatusError) {
        let resource = type.groupResource
        func invalid(_ message: String) -> StatusError {
            StatusError.invalid(resource, kind: type.kind, name: name, field: "metadata.name",
                                message: "Invalid value: \"\(name)\": \(message)")
        }
        if type.group == "rbac.authorization.k8s.io" {
            if name == "." || name == ".." || name.contains("/") || name.contains("%") {
                throw invalid("may not contain '/' or '%'")
            }
            return
        }
        if type.group.isEmpty && type.plural == "namespaces" {
            guard name.count <= 63, isLabel(Substring(name)) else {
                throw invalid("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                    + "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
                    + "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
            }
            return
        }
        guard name.count <= 253, name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(isLabel) else {
            throw invalid("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                + "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                + "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
        }
    }

    private static func isLabel(_ part: Substring) -> Bool {
        guard let first = part.first, let last = part.last else { return false }
        func alphanumeric(_ c: Character) -> Bool { ("a"..."z").contains(c) || ("0"..."9").contains(c) }
        return alphanumeric(first) && alphanumeric(last) && part.allSatisfy { alphanumeric($0) || $0 == "-" }
    }
}
