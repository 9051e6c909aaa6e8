/// The OpenAPI v3 schema of the Workflow resource, built from the same field lists the
/// decoder reads, and the CustomResourceDefinition that carries it (`capstan crd`).
public enum WorkflowSchema {
    static func object(_ properties: [String: JSONValue], required: [String] = [], description: String? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { schema["required"] = .array(required.map(JSONValue.string)) }
        if let description { schema["description"] = .string(description) }
        return .object(schema)
    }

    static func string(_ description: String? = nil, enum values: [String]? = nil) -> JSONValue {
        var schema: [String: JSONValue] = ["type": "string"]
        if let description { schema["description"] = .string(description) }
        if let values { schema["enum"] = .array(values.map(JSONValue.string)) }
        return .object(schema)
    }

    static let strings: JSONValue = ["type": "array", "items": ["type": "string"]]
    static let stringMap: JSONValue = ["type": "object", "additionalProperties": ["type": "string"]]
    static let anyValue: JSONValue = ["x-kubernetes-preserve-unknown-fields": true]
    static let anyObject: JSONValue = ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
    static let anyList: JSONValue = ["type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]]
    static let quantities: JSONValue = [
        "type": "object", "additionalProperties": ["x-kubernetes-int-or-string": true, "anyOf": [["type": "integer"], ["type": "string"]]],
    ]

    /// The fields a node may set and `spec.defaults` may default.
    static var settingsProperties: [String: JSONValue] {
        [
            "image": string("Container image."),
            "command": strings, "args": strings,
            "env": ["type": "array", "items": object(["name": string(), "value": string(), "valueFrom": anyObject], required: ["name"])],
            "secrets": ["type": "array", "items": object([
                "name": string("The Secret, in the workflow's namespace."), "key": string("The key of the Secret."),
                "env": string("The environment variable that receives the key's value."),
                "path": string("The absolute path of the read-only file that holds the key's value."),
            ], required: ["name", "key"])],
            "workingDir": string(),
            "inputs": anyObject,
            "outputs": strings,
            "resources": object(["requests": quantities, "limits": quantities]),
            "retries": ["type": "integer", "minimum": 0, "maximum": 100],
            "retryBackoff": object(["initial": string(), "factor": ["type": "number", "minimum": 1, "maximum": 10], "max": string()]),
            "timeout": string("One attempt's time limit, such as 90s or 1h30m."),
            "cache": object(["version": string()], required: ["version"]),
            "checkpoint": ["type": "boolean"],
            "interruptible": ["type": "boolean"],
            "podTemplate": object([
                "nodeSelector": stringMap, "tolerations": anyList, "affinity": anyObject, "serviceAccountName": string(),
                "priorityClassName": string(), "imagePullSecrets": ["type": "array", "items": object(["name": string()])],
                "securityContext": anyObject, "volumes": anyList, "volumeMounts": anyList,
            ]),
            "podMetadata": object(["labels": stringMap, "annotations": stringMap]),
        ]
    }

    public static var spec: JSONValue {
        var node = settingsProperties
        node["name"] = ["type": "string", "maxLength": 50]
        node["dependsOn"] = strings
        node["when"] = string("A condition in CEL syntax; false skips the node.")
        node["map"] = object([
            "over": anyValue, "concurrency": ["type": "integer", "minimum": 1],
            "minSuccessRatio": ["type": "number", "minimum": 0, "maximum": 1],
            "workers": object([
                "replicas": ["type": "integer", "minimum": 1, "maximum": 1000],
                "idleTimeout": string("How long a worker with nothing to run waits before it is deleted, such as 1m (the default)."),
            ], required: ["replicas"], description: "Run the items in this many long-lived worker pods instead of one pod per item."),
        ], required: ["over"])
        node["dynamic"] = ["type": "boolean", "description": "The task's output workflow is a Workflow spec, run as a child Workflow."]
        node["workflow"] = object([
            "templateRef": object(["name": string("A WorkflowTemplate of the same namespace.")], required: ["name"]),
        ], required: ["templateRef"], description: "Instead of a task: run a WorkflowTemplate as a child Workflow; inputs become its inputs.")
        node["sleep"] = string("Instead of a task: succeed once this long has passed, such as 30s or 1h.")
        node["approval"] = object([
            "message": string("Shown in the node's status while it waits; may hold {{ }} templates."),
            "timeout": string("How long to wait for a decision (none: as long as the workflow runs)."),
        ], description: "Instead of a task: wait until spec.approvals names this node Approved or Rejected.")
        return object([
            "inputs": anyObject,
            "defaults": object(settingsProperties),
            "parallelism": ["type": "integer", "minimum": 1],
            "failurePolicy": string(enum: FailurePolicy.allCases.map(\.rawValue)),
            "activeDeadline": string(),
            "ttlAfterFinished": string(),
            "storeGC": string(enum: StoreGCPolicy.allCases.map(\.rawValue)),
            "podGC": string(enum: PodGCPolicy.allCases.map(\.rawValue)),
            "outputs": anyObject,
            "recoverFrom": string(),
            "abort": ["type": "boolean"],
            "templateRef": object(["name": string("The WorkflowTemplate, in the Workflow's namespace.")], required: ["name"]),
            "approvals": [
                "type": "object", "description": "Decisions on approval nodes, by node name (capstan approve, capstan reject).",
                "additionalProperties": string(enum: ApprovalDecision.allCases.map(\.rawValue)),
            ],
            "nodes": ["type": "array", "minItems": 1, "items": object(node, required: ["name"])],
            "onExit": [
                "type": "array", "items": object(node, required: ["name"]),
                "description": "Exit nodes: run after the main nodes have all ended, whatever their result.",
            ],
        ])
    }

    public static var status: JSONValue {
        [
            "type": "object", "x-kubernetes-preserve-unknown-fields": true,
            "properties": [
                "phase": string(enum: WorkflowPhase.allCases.map(\.rawValue)),
                "observedGeneration": ["type": "integer"],
                "startedAt": ["type": "string", "format": "date-time"],
                "finishedAt": ["type": "string", "format": "date-time"],
                "progress": string(), "message": string(), "reason": string(),
                "conditions": ["type": "array", "items": object([
                    "type": string(), "status": string(enum: ["True", "False", "Unknown"]), "reason": string(),
                    "message": string(), "lastTransitionTime": ["type": "string", "format": "date-time"],
                    "observedGeneration": ["type": "integer"],
                ], required: ["type", "status"])],
                "nodes": ["type": "object", "x-kubernetes-preserve-unknown-fields": true],
                "archivedNodes": object([
                    "detailsPrefix": string("The store URI under which each archived node's NODE/node.json holds its full status."),
                    "rows": ["type": "object", "additionalProperties": string(),
                             "description": "Chunks of ';'-separated rows, NAME PHASE+ATTEMPTS START+SECONDS [FLAGS], keyed 0, 1, ..."],
                ], description: "The finished nodes of a workflow past 200 nodes, one short row each (docs/workflow.md#status)."),
                "runningNodes": string("In a workflow past 200 nodes, its running nodes that have nothing more to say, as ';'-separated rows NAME ATTEMPTS START."),
                "outputs": anyObject,
                "templateSpec": anyObject,
                "dagResult": object([
                    "phase": string(enum: WorkflowPhase.allCases.map(\.rawValue)), "reason": string(), "message": string(),
                ], description: "How the main nodes ended, kept while the exit nodes (spec.onExit) run."),
            ],
        ]
    }

    public static var customResourceDefinition: JSONValue {
        definition(kind: Workflow.kind, plural: Workflow.plural, singular: "workflow", shortName: Workflow.shortName,
                   description: "A workflow: a DAG of tasks run as pods.", status: status, printerColumns: [
                       ["name": "Phase", "type": "string", "jsonPath": ".status.phase"],
                       ["name": "Progress", "type": "string", "jsonPath": ".status.progress"],
                       ["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"],
                   ])
    }

    /// `WorkflowTemplate` (SPEC §11): a Workflow spec kept to be run by `templateRef`; no status.
    public static var templateCustomResourceDefinition: JSONValue {
        definition(kind: WorkflowTemplate.kind, plural: WorkflowTemplate.plural, singular: "workflowtemplate",
                   shortName: WorkflowTemplate.shortName,
                   description: "A Workflow spec that Workflows run by spec.templateRef; it never runs by itself.", status: nil,
                   printerColumns: [["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]])
    }

    /// Every CustomResourceDefinition Capstan serves, in the order they are installed.
    public static var customResourceDefinitions: [JSONValue] {
        [customResourceDefinition, templateCustomResourceDefinition, CronWorkflowSchema.customResourceDefinition]
    }

    /// A CRD with the status subresource and an Age column after `printerColumns`.
    static func customResourceDefinition(kind: String, plural: String, shortName: String, description: String,
                                         printerColumns: [JSONValue], spec: JSONValue, status: JSONValue) -> JSONValue {
        definition(kind: kind, plural: plural, singular: kind.lowercased(), shortName: shortName, description: description,
                   spec: spec, status: status,
                   printerColumns: printerColumns + [["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]])
    }

    /// What every capstan.dev resource's CRD shares: namespaced, one served version, the
    /// `all` and `capstan` categories; the status subresource when it has a status.
    static func definition(kind: String, plural: String, singular: String, shortName: String, description: String,
                           spec: JSONValue = spec, status: JSONValue?, printerColumns: [JSONValue]) -> JSONValue {
        var properties: [String: JSONValue] = [
            "apiVersion": ["type": "string"], "kind": ["type": "string"], "metadata": ["type": "object"], "spec": spec,
        ]
        var version: [String: JSONValue] = [
            "name": .string(Workflow.version), "served": true, "storage": true,
            "additionalPrinterColumns": .array(printerColumns),
        ]
        if let status {
            properties["status"] = status
            version["subresources"] = ["status": [:]]
        }
        version["schema"] = ["openAPIV3Schema": [
            "type": "object", "description": .string(description), "properties": .object(properties), "required": ["spec"],
        ]]
        return [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).\(Workflow.group)")],
            "spec": [
                "group": .string(Workflow.group),
                "names": [
                    "kind": .string(kind), "listKind": .string("\(kind)List"), "plural": .string(plural),
                    "singular": .string(singular), "shortNames": [.string(shortName)], "categories": ["all", "capstan"],
                ],
                "scope": "Namespaced",
                "versions": [.object(version)],
            ],
        ]
    }
}
