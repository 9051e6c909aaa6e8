import CapstanAPI
import Foundation

/// A CronWorkflow spec checked once and resolved: the schedule parsed, the zone found.
public struct CompiledCron: Sendable {
    public let spec: CronWorkflowSpec
    public let schedule: CronSchedule
    public let zone: TimeZone
}

/// Is a CronWorkflow's spec valid, and what does each error say? The fields are decoded by
/// `CronWorkflowSpec.decode`; here the schedule is parsed, the time zone looked up, and
/// `workflowSpec` checked as a Workflow's spec would be — unless it names a template with
/// `templateRef`, which is resolved only when a run starts, so only its shape is checked.
public enum CronCompiler {
    /// As for a CronJob: a run's name adds `-` and up to ten digits of Unix minutes, and a
    /// Workflow's name must stay a valid label value (63 characters) on its pods.
    public static let longestName = 52

    /// `name` is the CronWorkflow's, when known. `zones` finds a zone by IANA name; Foundation
    /// reads them from the ICU data linked into the binary.
    public static func compile(_ value: JSONValue, name: String? = nil, zones: (String) -> TimeZone? = TimeZone.init(identifier:))
        -> Result<CompiledCron, InvalidWorkflowError>
    {
        let (decoded, diagnostics) = CronWorkflowSpec.decode(value)
        var problems = diagnostics
        if let name, name.count > longestName {
            problems.append(Diagnostic(path: "metadata.name", message:
                "is \(name.count) characters; at most \(longestName), so that its runs, named NAME-<Unix minutes>, fit the 63 characters of a label value"))
        }
        var schedule: CronSchedule?
        var zone: TimeZone?
        if let text = value["schedule"]?.stringValue {
            do {
                schedule = try CronSchedule(parsing: text)
            } catch {
                problems.append(Diagnostic(path: "spec.schedule", message: error.description))
            }
        }
        // A timezone that is not a string is the decoder's to report.
        if let name = value["timezone"].map({ $0.stringValue }) ?? "UTC" {
            zone = zones(name)
            if zone == nil {
                problems.append(Diagnostic(path: "spec.timezone", message: "unknown time zone \"\(name)\": use an IANA name such as UTC, Europe/Paris or America/New_York"))
            }
        }
        if let workflowSpec = value["workflowSpec"], !workflowSpec.isNull {
            problems += checkWorkflowSpec(workflowSpec)
        }
        guard problems.isEmpty, let decoded, let schedule, let zone else { return .failure(InvalidWorkflowError(problems)) }
        return .success(CompiledCron(spec: decoded, schedule: schedule, zone: zone))
    }

    static func checkWorkflowSpec(_ spec: JSONValue) -> [Diagnostic] {
        let path = "spec.workflowSpec"
        guard case .object(let fields) = spec else {
            return [Diagnostic(path: path, message: "must be an object, not a \(spec.typeName)")]
        }
        if let reference = fields["templateRef"] {
            guard reference["name"]?.stringValue != nil else {
                return [Diagnostic(path: "\(path).templateRef.name", message: "must be the name of a template, as a string")]
            }
            return []
        }
        guard case .failure(let error) = WorkflowCompiler.compile(spec) else { return [] }
        // The compiler locates problems from `spec`; here that spec sits under workflowSpec.
        return error.diagnostics.map { diagnostic in
            var moved = diagnostic
            if moved.path == "spec" || moved.path.hasPrefix("spec.") { moved.path = path + moved.path.dropFirst(4) }
            return moved
        }
    }
}
