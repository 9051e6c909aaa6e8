import CapstanAPI

/// What the controller found for a Workflow's `spec.templateRef`.
public enum ObservedTemplate: Sendable, Hashable {
    /// The template's spec: read now, or kept in `status.templateSpec` since the Workflow started.
    case found(spec: JSONValue)
    /// No WorkflowTemplate of that name in the Workflow's namespace.
    case missing
}

/// The spec a Workflow with `templateRef` runs (SPEC §11): the template's spec, with the
/// Workflow's own `inputs` over the template's by name and every other field the Workflow
/// gives in place of the template's.
enum TemplateResolution {
    static func resolve(_ workflowSpec: JSONValue, name: String, namespace: String,
                        template: ObservedTemplate) -> Result<JSONValue, InvalidWorkflowError> {
        guard case .found(let templateSpec) = template else {
            return .failure(InvalidWorkflowError([Diagnostic(
                path: "spec.templateRef.name", message: "WorkflowTemplate \"\(name)\" not found in namespace \(namespace)")],
                reason: "TemplateNotFound"))
        }
        var problems: [Diagnostic] = []
        guard var resolved = templateSpec.objectValue else {
            return .failure(InvalidWorkflowError([Diagnostic(path: "spec.templateRef.name", message: "WorkflowTemplate \"\(name)\" has no spec")]))
        }
        if resolved["templateRef"] != nil {
            problems.append(Diagnostic(path: "spec.templateRef.name",
                                       message: "WorkflowTemplate \"\(name)\" itself has a templateRef; a template must list its own nodes"))
        }
        for (field, value) in workflowSpec.objectValue ?? [:] where field != "templateRef" {
            guard field == "inputs", let given = value.objectValue else {
                resolved[field] = value
                continue
            }
            // A name the template does not declare would be ignored by every node: a typo.
            var inputs = resolved["inputs"]?.objectValue ?? [:]
            for (input, inputValue) in given.sorted(by: { $0.key < $1.key }) {
                if inputs[input] == nil {
                    let known = inputs.keys.sorted()
                    problems.append(Diagnostic(path: "spec.inputs.\(input)", message: "WorkflowTemplate \"\(name)\" declares no input \"\(input)\"; "
                        + (known.isEmpty ? "it declares none" : "its inputs are \(known.joined(separator: ", "))")))
                }
                inputs[input] = inputValue
            }
            resolved["inputs"] = .object(inputs)
        }
        resolved["templateRef"] = nil
        return problems.isEmpty ? .success(.object(resolved)) : .failure(InvalidWorkflowError(problems))
    }
}
