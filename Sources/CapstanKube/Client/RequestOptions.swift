import CapstanAPI
/// Options of a list request. `limit` with `continueToken` pages through large collections.
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var limit: Int?
    public var continueToken: String?
    /// `"0"` lets the server answer from its cache; nil asks for the latest state.
    public var resourceVersion: String?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil,
                continueToken: String? = nil, resourceVersion: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit, limit > 0 { items.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { items.append(("continue", continueToken)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        return items
    }
}

/// Options of a watch request. Events after `resourceVersion` are delivered; the server ends
/// the stream after `timeoutSeconds`.
public struct WatchOptions: Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var resourceVersion: String?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool
    /// Parts of each object the caller does not read, as key paths from the object's top
    /// (`["spec"]`, `["metadata", "managedFields"]`): they are not decoded, and are absent
    /// from the events. Client-side only; the server sends them.
    public var ignoredPaths: [[String]]
    /// Top-level fields (`spec`) the caller may already hold for an object: given the fields
    /// decoded before it (its `metadata`), the held value, which the event then carries
    /// without the field being decoded. Client-side only, like `ignoredPaths`.
    public var heldFields: [String: JSONSkipList.HeldValue]
    /// DELETED events carry the object without its `spec` and `status` (not decoded), for a
    /// reader that only needs to know which object went, as an informer does. Client-side
    /// only. A pod leaving a filtered watch arrives as DELETED too, so a kubelet's watches
    /// see one for nearly every pod they see at all.
    public var deletionsWithoutSpecAndStatus: Bool

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
                timeoutSeconds: Int? = nil, allowWatchBookmarks: Bool = true, ignoredPaths: [[String]] = [],
                heldFields: [String: JSONSkipList.HeldValue] = [:], deletionsWithoutSpecAndStatus: Bool = false) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
        self.ignoredPaths = ignoredPaths
        self.heldFields = heldFields
        self.deletionsWithoutSpecAndStatus = deletionsWithoutSpecAndStatus
    }

    /// What the watch stream steps over in each event line.
    var skipList: JSONSkipList {
        JSONSkipList(ignoredObjectPaths, held: heldFields.map { (path: ["object", $0.key], value: $0.value) })
    }

    /// What it steps over in a DELETED event's line, when that differs from `skipList`.
    var deletionSkipList: JSONSkipList? {
        guard deletionsWithoutSpecAndStatus else { return nil }
        return JSONSkipList(ignoredObjectPaths + [["object", "spec"], ["object", "status"]])
    }

    /// `ignoredPaths` from the top of an event line, where the object is under `object`.
    private var ignoredObjectPaths: [[String]] { ignoredPaths.map { ["object"] + $0 } }

    var queryItems: [(String, String)] {
        var items: [(String, String)] = [("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let resourceVersion, !resourceVersion.isEmpty { items.append(("resourceVersion", resourceVersion)) }
        if let timeoutSeconds { items.append(("timeoutSeconds", String(timeoutSeconds))) }
        if allowWatchBookmarks { items.append(("allowWatchBookmarks", "true")) }
        return items
    }
}

/// What happens to the dependents of a deleted object (its `ownerReferences` children).
public enum PropagationPolicy: String, Sendable {
    case orphan = "Orphan"
    case background = "Background"
    case foreground = "Foreground"
}

public struct DeleteOptions: Sendable, Hashable {
    public var propagationPolicy: PropagationPolicy?
    public var gracePeriodSeconds: Int?
    /// Delete only if the object still has this UID / resourceVersion (409 Conflict otherwise).
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?

    public init(propagationPolicy: PropagationPolicy? = nil, gracePeriodSeconds: Int? = nil,
                preconditionUID: String? = nil, preconditionResourceVersion: String? = nil) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
    }

    var body: JSONValue? {
        var fields: [String: JSONValue] = [:]
        if let propagationPolicy { fields["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { fields["gracePeriodSeconds"] = .number(Double(gracePeriodSeconds)) }
        var preconditions: [String: JSONValue] = [:]
        if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
        if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
        if !preconditions.isEmpty { fields["preconditions"] = .object(preconditions) }
        guard !fields.isEmpty else { return nil }
        fields["kind"] = "DeleteOptions"
        fields["apiVersion"] = "v1"
        return .object(fields)
    }
}

/// A patch document and how the server must read it.
public struct Patch: Sendable, Hashable {
    public enum Kind: String, Sendable {
        /// RFC 7386: objects merge, `null` deletes a field, lists are replaced whole.
        case merge = "application/merge-patch+json"
        /// RFC 6902: a list of operations (`add`, `remove`, `replace`, `test`, ...).
        case json = "application/json-patch+json"
        /// Kubernetes' strategic merge: lists of built-in kinds merge by key. Built-ins only.
        case strategicMerge = "application/strategic-merge-patch+json"
    }

    public var kind: Kind
    public var body: JSONValue

    public init(kind: Kind, body: JSONValue) {
        self.kind = kind
        self.body = body
    }

    public static func merge(_ body: JSONValue) -> Patch { Patch(kind: .merge, body: body) }
    public static func json(_ operations: [JSONValue]) -> Patch { Patch(kind: .json, body: .array(operations)) }
    public static func strategicMerge(_ body: JSONValue) -> Patch { Patch(kind: .strategicMerge, body: body) }
}

/// One page of a list: the items, the collection's resourceVersion (to start a watch from)
/// and the token for the next page, if any.
public struct ObjectList: Sendable {
    public var items: [JSONValue]
    public var resourceVersion: String
    public var continueToken: String?

    public init(items: [JSONValue], resourceVersion: String, continueToken: String?) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }

    init(response: JSONValue) {
        items = response["items"]?.arrayValue ?? []
        resourceVersion = response.value(at: "metadata", "resourceVersion")?.stringValue ?? ""
        let token = response.value(at: "metadata", "continue")?.stringValue
        continueToken = (token?.isEmpty ?? true) ? nil : token
    }
}
