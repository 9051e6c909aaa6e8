/// Name rules kube enforces on create: DNS-1123 subdomains for most kinds, DNS-1123 labels for
/// namespaces, and only "no slash, no percent" for RBAC objects (which allow `system:` names).
enum NameValidation {
    static func validate(name: String, type: ServedResource) throws(StatusError) {
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
            guard name.count <= 63, ValidationRules.isLabel(Substring(name)) else {
                throw invalid(ValidationRules.dns1123LabelMessage)
            }
            return
        }
        guard name.count <= 253, name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy(ValidationRules.isLabel) else {
            throw invalid(ValidationRules.dns1123SubdomainMessage)
        }
    }
}
