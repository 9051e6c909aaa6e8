import CapstanAPI

/// The parts of kube's `ValidatePodCreate` (pkg/apis/core/validation) that a workflow's pods
/// can get wrong: container names, and the rules for resources that cannot be overcommitted
/// (extended resources such as `nvidia.com/gpu`, and hugepages).
enum PodValidation {
    static func errors(_ pod: JSONValue) -> [FieldError] {
        var errors: [FieldError] = []
        var names: Set<String> = []
        for field in ["initContainers", "containers"] {
            for (index, container) in (pod["spec"]?[field]?.arrayValue ?? []).enumerated() {
                let path = "spec.\(field)[\(index)]"
                let name = container["name"]?.stringValue ?? ""
                if name.isEmpty {
                    errors.append(.required("\(path).name"))
                } else {
                    errors += ValidationRules.dns1123Label(name).map { FieldError.invalid("\(path).name", value: name, $0) }
                    if !names.insert(name).inserted { errors.append(.duplicate("\(path).name", value: name)) }
                }
                errors += resourceErrors(container["resources"], path: "\(path).resources")
            }
        }
        return errors
    }

    /// `validateResourceRequirements`: limits first, then each request against its limit.
    private static func resourceErrors(_ resources: JSONValue?, path: String) -> [FieldError] {
        let limits = resources?["limits"]?.objectValue ?? [:]
        let requests = resources?["requests"]?.objectValue ?? [:]
        var errors: [FieldError] = []
        for (name, value) in limits.sorted(by: { $0.key < $1.key }) {
            errors += quantityErrors(name, value, path: "\(path).limits[\(name)]")
        }
        for (name, value) in requests.sorted(by: { $0.key < $1.key }) {
            errors += quantityErrors(name, value, path: "\(path).requests[\(name)]")
            guard let request = CanonicalQuantity(value) else { continue }
            if let limitValue = limits[name], let limit = CanonicalQuantity(limitValue) {
                if request.value != limit.value && !overcommitAllowed(name) {
                    errors.append(.invalid("\(path).requests", value: request.text,
                                           "must be equal to \(name) limit of \(limit.text)"))
                } else if request.value > limit.value {
                    errors.append(.invalid("\(path).requests", value: request.text,
                                           "must be less than or equal to \(name) limit of \(limit.text)"))
                }
            } else if !overcommitAllowed(name) {
                errors.append(.required("\(path).limits", "Limit must be set for non overcommitable resources"))
            }
        }
        return errors
    }

    /// `ValidateResourceQuantityValue`: not negative, and whole for resources outside kube's own.
    private static func quantityErrors(_ name: String, _ value: JSONValue, path: String) -> [FieldError] {
        guard let quantity = CanonicalQuantity(value) else { return [] }
        if quantity.value < 0 {
            return [.invalid(path, value: quantity.text, "must be greater than or equal to 0")]
        }
        if !isNative(name), !quantity.isWhole {
            return [.invalid(path, value: quantity.text, "must be an integer")]
        }
        return []
    }

    /// `IsNativeResource`: no domain, or one under kubernetes.io.
    static func isNative(_ name: String) -> Bool {
        !name.contains("/") || name.contains("kubernetes.io/")
    }

    /// `IsOvercommitAllowed`: native resources other than hugepages.
    static func overcommitAllowed(_ name: String) -> Bool {
        isNative(name) && !name.hasPrefix("hugepages-")
    }
}
