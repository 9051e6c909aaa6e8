import CapstanAPI

/// What the scheduler and kubelets read from a `Node` object. Read back from the API server
/// rather than taken from the flags, so `kubectl label`, `taint` and `cordon` take effect.
struct NodeInfo: Sendable, Hashable {
    var name: String
    var labels: [String: String]
    var taints: [Taint]
    var unschedulable: Bool
    var allocatable: ResourceList
    var internalIP: String

    init(name: String, labels: [String: String], taints: [Taint], unschedulable: Bool, allocatable: ResourceList, internalIP: String) {
        self.name = name
        self.labels = labels
        self.taints = taints
        self.unschedulable = unschedulable
        self.allocatable = allocatable
        self.internalIP = internalIP
    }

    init(json node: JSONValue) {
        let addresses = node["status"]?["addresses"]?.arrayValue ?? []
        self.init(
            name: node["metadata"]?["name"]?.stringValue ?? "",
            labels: node["metadata"]?["labels"]?.objectValue?.compactMapValues(\.stringValue) ?? [:],
            taints: node["spec"]?["taints"]?.arrayValue?.compactMap(Taint.init(json:)) ?? [],
            unschedulable: node["spec"]?["unschedulable"]?.boolValue ?? false,
            allocatable: ResourceList(quantities: node["status"]?["allocatable"] ?? node["status"]?["capacity"]),
            internalIP: addresses.first { $0["type"]?.stringValue == "InternalIP" }?["address"]?.stringValue ?? "")
    }
}
