import CapstanAPI

/// The nodes a Workflow object lists, in its spec's order: from its own spec, or from the
/// template it ran (`status.templateSpec`) when the spec only names one (`spec.templateRef`,
/// as cron runs and sub-workflow children do). A spec field given beside `templateRef`
/// overrides the template's (SPEC §11), so each list is taken from where it is given.
struct WorkflowNodes {
    /// `spec.nodes`.
    var main: [JSONValue]
    /// `spec.onExit`.
    var exit: [JSONValue]
    /// The template the spec names when the controller has not recorded it yet, so its nodes
    /// are not known.
    var unreadTemplate: String?

    init(_ object: JSONValue) {
        let spec = object["spec"]
        let template = object["status"]?["templateSpec"]
        main = (spec?["nodes"] ?? template?["nodes"])?.arrayValue ?? []
        exit = (spec?["onExit"] ?? template?["onExit"])?.arrayValue ?? []
        if template == nil, spec?["nodes"] == nil, let name = spec?["templateRef"]?["name"]?.stringValue {
            unreadTemplate = name
        }
    }

    var mainNames: [String] { Self.names(main) }
    var exitNames: [String] { Self.names(exit) }

    private static func names(_ nodes: [JSONValue]) -> [String] {
        nodes.compactMap { $0["name"]?.stringValue }
    }
}
