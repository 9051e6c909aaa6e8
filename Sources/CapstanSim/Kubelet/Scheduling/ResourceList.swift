import CapstanAPI

/// Amounts of named resources in kube's integer units: `cpu` in millicores, everything else
/// (memory and ephemeral-storage in bytes, GPUs, pods) as whole numbers. Missing means zero.
struct ResourceList: Sendable, Hashable {
    private(set) var amounts: [String: Int64]

    init(_ amounts: [String: Int64] = [:]) {
        self.amounts = amounts.filter { $0.value != 0 }
    }

    static let podCount = "pods"

    subscript(name: String) -> Int64 {
        get { amounts[name] ?? 0 }
        set { amounts[name] = newValue == 0 ? nil : newValue }
    }

    var isEmpty: Bool { amounts.isEmpty }

    /// A `requests`, `limits`, `capacity` or `allocatable` object. Quantities that do not
    /// parse count as zero: the API server validated them, or they are not ours to judge.
    init(quantities: JSONValue?) {
        var amounts: [String: Int64] = [:]
        for (name, value) in quantities?.objectValue ?? [:] {
            guard let amount = Self.amount(name: name, value) else { continue }
            amounts[name] = amount
        }
        self.init(amounts)
    }

    static func amount(name: String, _ value: JSONValue) -> Int64? {
        let text: String
        switch value {
        case .string(let string): text = string
        case .number(let number): text = String(number)
        default: return nil
        }
        guard let quantity = try? Quantity(text) else { return nil }
        return name == "cpu" ? quantity.milliValue : quantity.integerValue
    }

    /// What a pod asks the scheduler for, as kube computes it: the sum of its containers'
    /// requests, or the largest init container's when that is more, plus `overhead`.
    init(podSpec spec: JSONValue?) {
        var total = ResourceList()
        for container in spec?["containers"]?.arrayValue ?? [] {
            total += ResourceList(quantities: container["resources"]?["requests"])
        }
        for container in spec?["initContainers"]?.arrayValue ?? [] {
            let requests = ResourceList(quantities: container["resources"]?["requests"])
            for (name, amount) in requests.amounts where amount > total[name] { total[name] = amount }
        }
        total += ResourceList(quantities: spec?["overhead"])
        self = total
    }

    static func += (lhs: inout ResourceList, rhs: ResourceList) {
        for (name, amount) in rhs.amounts { lhs[name] += amount }
    }

    static func -= (lhs: inout ResourceList, rhs: ResourceList) {
        for (name, amount) in rhs.amounts { lhs[name] -= amount }
    }

    /// Names of the requested resources that `free` cannot cover, in kube's order: cpu,
    /// memory, ephemeral-storage, then the rest alphabetically.
    func insufficient(free: ResourceList) -> [String] {
        amounts.keys
            .filter { $0 != Self.podCount && self[$0] > free[$0] }
            .sorted { Self.order($0) < Self.order($1) }
    }

    private static func order(_ name: String) -> (Int, String) {
        switch name {
        case "cpu": return (0, name)
        case "memory": return (1, name)
        case "ephemeral-storage": return (2, name)
        default: return (3, name)
        }
    }
}
