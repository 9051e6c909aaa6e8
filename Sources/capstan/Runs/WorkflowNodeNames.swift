import CapstanAPI

/// The nodes a Workflow object lists, in its spec's order: from its own spec, or from the
/// template it ran (`status.templateSpec`) when the spec only names one.
struct WorkflowNodeNames {
    /// `spec.nodes`.
    var main: [String]
    /// `spec.onExit`.
    var exit: [String]

    init(_ object: JSONValue) {
        let spec = object["spec"]
        let template = object["status"]?["templateSpec"]
        main = Self.names(spec?["nodes"] ?? template?["nodes"])
        exit = Self.names(spec?["onExit"] ?? template?["onExit"])
    }

    var all: [String] { main + exit }

    private static func names(_ nodes: JSONValue?) -> [String] {
        (nodes?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
    }
}
