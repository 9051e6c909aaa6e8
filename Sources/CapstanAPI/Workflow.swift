/// A Workflow resource as read from the API server. The spec is kept as written and decoded
/// separately, so that a Workflow with an invalid spec can still be loaded and marked failed.
public struct Workflow: Sendable, Hashable {
    public static let group = "capstan.dev"
    public static let version = "v1alpha1"
    public static let apiVersion = "capstan.dev/v1alpha1"
    public static let kind = "Workflow"
    public static let plural = "workflows"
    public static let shortName = "cwf"

    public var metadata: ObjectMeta
    public var spec: JSONValue
    public var status: WorkflowStatus

    public init(metadata: ObjectMeta, spec: JSONValue, status: WorkflowStatus = WorkflowStatus()) {
        self.metadata = metadata
        self.spec = spec
        self.status = status
    }

    public init(json: JSONValue) {
        self.init(metadata: ObjectMeta(json: json["metadata"]), spec: json["spec"] ?? .null, status: WorkflowStatus(json: json["status"]))
    }

    public var json: JSONValue {
        ["apiVersion": .string(Workflow.apiVersion), "kind": .string(Workflow.kind), "metadata": metadata.json, "spec": spec, "status": status.json]
    }
}

/// The metadata fields Capstan reads; the rest of an object's metadata is not kept.
public struct ObjectMeta: Sendable, Hashable {
    public var name: String
    public var namespace: String
    public var uid: String
    public var generation: Int
    public var resourceVersion: String
    public var labels: [String: String]
    public var annotations: [String: String]
    public var creationTimestamp: Timestamp?
    public var deletionTimestamp: Timestamp?
    public var finalizers: [String] = []

    public init(name: String, namespace: String = "default", uid: String = "", generation: Int = 1,
                resourceVersion: String = "", labels: [String: String] = [:], annotations: [String: String] = [:],
                creationTimestamp: Timestamp? = nil, deletionTimestamp: Timestamp? = nil) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.generation = generation
        self.resourceVersion = resourceVersion
        self.labels = labels
        self.annotations = annotations
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
    }

    public init(json: JSONValue?) {
        let json = json ?? .object([:])
        self.init(
            name: json["name"]?.stringValue ?? "", namespace: json["namespace"]?.stringValue ?? "default",
            uid: json["uid"]?.stringValue ?? "", generation: json["generation"]?.intValue ?? 1,
            resourceVersion: json["resourceVersion"]?.stringValue ?? "",
            labels: json["labels"]?.objectValue?.compactMapValues(\.stringValue) ?? [:],
            annotations: json["annotations"]?.objectValue?.compactMapValues(\.stringValue) ?? [:],
            creationTimestamp: json["creationTimestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:)),
            deletionTimestamp: json["deletionTimestamp"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
        finalizers = json["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    public var json: JSONValue {
        var o: [String: JSONValue] = ["name": .string(name), "namespace": .string(namespace)]
        if !uid.isEmpty { o["uid"] = .string(uid) }
        if !resourceVersion.isEmpty { o["resourceVersion"] = .string(resourceVersion) }
        o["generation"] = .number(Double(generation))
        if !labels.isEmpty { o["labels"] = .object(labels.mapValues(JSONValue.string)) }
        if !annotations.isEmpty { o["annotations"] = .object(annotations.mapValues(JSONValue.string)) }
        o["creationTimestamp"] = creationTimestamp.map { .string($0.rfc3339) }
        o["deletionTimestamp"] = deletionTimestamp.map { .string($0.rfc3339) }
        if !finalizers.isEmpty { o["finalizers"] = .array(finalizers.map(JSONValue.string)) }
        return .object(o)
    }
}
