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
        ], required: ["over"])
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
            "nodes": ["type": "array", "minItems": 1, "items": object(node, required: ["name"])],
        ], required: ["nodes"])
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
                "outputs": anyObject,
            ],
        ]
    }

    public static var customResourceDefinition: JSONValue {
        customResourceDefinition(
            kind: Workflow.kind, plural: Workflow.plural, shortName: Workflow.shortName,
            description: "A workflow: a DAG of tasks run as pods.",
            printerColumns: [
                ["name": "Phase", "type": "string", "jsonPath": ".status.phase"],
                ["name": "Progress", "type": "string", "jsonPath": ".status.progress"],
            ],
            spec: spec, status: status)
    }

    /// What every capstan.dev resource's CRD shares: namespaced, one served version, the
    /// status subresource, the `all` and `capstan` categories, Age as the last column.
    static func customResourceDefinition(kind: String, plural: String, shortName: String, description: String,
                                         printerColumns: [JSONValue], spec: JSONValue, status: JSONValue) -> JSONValue {
        [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).\(Workflow.group)")],
            "spec": [
                "group": .string(Workflow.group),
                "names": [
                    "kind": .string(kind), "listKind": .string("\(kind)List"), "plural": .string(plural),
                    "singular": .string(kind.lowercased()), "shortNames": [.string(shortName)], "categories": ["all", "capstan"],
                ],
                "scope": "Namespaced",
                "versions": [[
                    "name": .string(Workflow.version), "served": true, "storage": true,
                    "subresources": ["status": [:]],
                    "additionalPrinterColumns": .array(printerColumns + [["name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"]]),
                    "schema": ["openAPIV3Schema": [
                        "type": "object",
                        "description": .string(description),
                        "properties": [
                            "apiVersion": ["type": "string"], "kind": ["type": "string"], "metadata": ["type": "object"],
                            "spec": spec, "status": status,
                        ],
                        "required": ["spec"],
                    ]],
                ]],
            ],
        ]
    }
}
