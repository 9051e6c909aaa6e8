import CapstanAPI
import Foundation
import NIOCore
import Synchronization

/// kube-apiserver's behaviour for every verb, on top of the generic `SimObjectStore`:
/// metadata bookkeeping, conflicts, generation, the status subresource, finalizers and
/// the garbage collector. HTTP handling and the kubelet half both sit outside it.
final class ResourceOperations: Sendable {
    let store: SimObjectStore
    let registry: ResourceRegistry
    /// Runs the garbage collector and namespace finalizer off the request path, in order.
    let background: any EventLoop
    /// Pods bound to a node wait for their kubelet to confirm deletion, as in kube; without
    /// kubelets nothing would ever finish them, so plain API servers delete them at once.
    let gracefulPodDeletion: Bool
    /// Serializes quota checks with the pod writes they admit.
    let quotaLock = Mutex(())
    let quotaStatus: QuotaStatusController

    init(store: SimObjectStore, registry: ResourceRegistry, background: any EventLoop, gracefulPodDeletion: Bool) {
        self.store = store
        self.registry = registry
        self.background = background
        self.gracefulPodDeletion = gracefulPodDeletion
        quotaStatus = QuotaStatusController(background: background)
        quotaStatus.connect { [weak self] namespace in self?.refreshQuotaStatus(namespace) }
        // Starting from nothing, these watches cannot be refused.
        try? store.watch(Self.podsResource, namespace: nil, from: nil, sink: quotaStatus)
        try? store.watch(Self.quotasResource, namespace: nil, from: nil, sink: quotaStatus.presence)
    }

    struct Scope: Sendable {
        var type: ServedResource
        /// "" for cluster-scoped resources and for lists across all namespaces.
        var namespace: String
        /// `fieldValidation=Strict`: fields a CRD schema does not know fail the write instead of being dropped.
        var strictFields = false

        func key(_ name: String) -> StoredObjectKey {
            StoredObjectKey(resource: type.groupResource, namespace: type.namespaced ? namespace : "", name: name)
        }

        var selectableFieldPaths: [String] { FieldSelector.selectableFields(for: type.groupResource) }
    }

    struct ListOptions: Sendable {
        var labelSelector = LabelSelector.everything
        var fieldSelector = FieldSelector.everything
        var limit: Int?
        var continueToken: String?
    }

    struct ListPage {
        var items: [StoredObject]
        var resourceVersion: Int
        var continueToken: String?
        var remainingItemCount: Int?
    }

    func get(_ scope: Scope, name: String) throws(StatusError) -> StoredObject {
        guard let object = store.get(scope.key(name)) else { throw StatusError.notFound(scope.type.groupResource, name) }
        return object
    }

    func list(_ scope: Scope, options: ListOptions) throws(StatusError) -> ListPage {
        var after: (namespace: String, name: String)?
        var snapshotVersion: Int?
        if let token = options.continueToken, !token.isEmpty {
            let decoded = try ContinueToken.decode(token)
            after = (decoded.namespace, decoded.name)
            snapshotVersion = decoded.resourceVersion
        }
        let namespace: String? = scope.type.namespaced && !scope.namespace.isEmpty ? scope.namespace : nil
        let labels = options.labelSelector
        let fields = options.fieldSelector
        let result = store.list(scope.type.groupResource, namespace: namespace, after: after,
                                limit: options.limit.flatMap { $0 > 0 ? $0 : nil }) { object in
            labels.matches(object.labels) && fields.matches(object.selectableFields)
        }
        let version = snapshotVersion ?? result.resourceVersion
        var page = ListPage(items: result.items, resourceVersion: version)
        if result.hasMore, let last = result.items.last {
            page.continueToken = ContinueToken(resourceVersion: version, namespace: last.namespace, name: last.name).encoded
            page.remainingItemCount = result.remaining
        }
        return page
    }

    /// The namespace a namespaced write goes to must exist and must not be terminating.
    func checkNamespaceAcceptsWrites(_ scope: Scope, name: String) throws(StatusError) {
        guard scope.type.namespaced else { return }
        let namespaces = GroupResource(group: "", resource: "namespaces")
        guard let namespace = store.get(StoredObjectKey(resource: namespaces, namespace: "", name: scope.namespace)) else {
            throw StatusError.notFound(namespaces, scope.namespace)
        }
        if namespace.isTerminating {
            throw StatusError.forbidden(
                scope.type.groupResource, name,
                "unable to create new content in namespace \(scope.namespace) because it is being terminated")
        }
    }

    /// Prunes, defaults and validates a custom resource against its CRD schema, as kube does on every write.
    /// On an update, `stored` is the object as it was.
    func applySchema(_ object: inout JSONValue, _ scope: Scope, name: String, stored: JSONValue? = nil) throws(StatusError) {
        guard scope.type.isCustom, let schema = registry.schema(for: scope.type) else { return }
        let outcome = StructuralSchema(root: schema).apply(to: &object, stored: stored)
        let kind = scope.type.kind
        if scope.strictFields, !outcome.unknownFields.isEmpty {
            let fields = outcome.unknownFields.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
            throw StatusError.badRequest(
                "\(kind) in version \"\(scope.type.version)\" cannot be handled as a \(kind): strict decoding error: \(fields)")
        }
        guard !outcome.errors.isEmpty else { return }
        let qualified = "\(kind).\(scope.type.group)"
        let detail = outcome.errors.count == 1 ? outcome.errors[0] : "[" + outcome.errors.joined(separator: ", ") + "]"
        let causes: [JSONValue] = outcome.errors.map { error in
            let parts = error.split(separator: ":", maxSplits: 1).map { $0.trimmingSpaces }
            return ["reason": "FieldValueInvalid", "field": .string(parts[0]), "message": .string(parts.count > 1 ? parts[1] : error)]
        }
        throw StatusError(code: 422, reason: "Invalid", message: "\(qualified) \"\(name)\" is invalid: \(detail)",
                          details: ["name": .string(name), "group": .string(scope.type.group), "kind": .string(kind),
                                    "causes": .array(causes)])
    }

    /// kube rejects bodies whose apiVersion or kind do not match the URL.
    func checkTypeMeta(_ object: JSONValue, _ scope: Scope) throws(StatusError) {
        guard case .object = object else {
            throw StatusError.badRequest("the body of the request must be a JSON object, got \(object.typeName)")
        }
        guard let kind = object["kind"]?.stringValue, !kind.isEmpty else {
            throw StatusError.badRequest("Object 'Kind' is missing in '\(object.jsonString.prefix(200))'")
        }
        let apiVersion = object["apiVersion"]?.stringValue ?? ""
        if apiVersion != scope.type.apiVersion {
            throw StatusError.badRequest(
                "the API version in the data (\(apiVersion)) does not match the expected API version (\(scope.type.apiVersion))")
        }
        if kind != scope.type.kind {
            throw StatusError.badRequest("the kind in the data (\(kind)) does not match the expected kind (\(scope.type.kind))")
        }
    }
}

/// Where the next page of a list starts; opaque to clients, like kube's.
struct ContinueToken {
    var resourceVersion: Int
    var namespace: String
    var name: String

    var encoded: String {
        let json: JSONValue = ["v": "meta.k8s.io/v1", "rv": .number(Double(resourceVersion)),
                               "start": .string(namespace + "/" + name)]
        return Data(json.serialized()).base64EncodedString()
    }

    static func decode(_ token: String) throws(StatusError) -> ContinueToken {
        guard let data = Data(base64Encoded: token), let json = try? JSONValue.parse(Array(data)),
              let rv = json["rv"]?.intValue, let start = json["start"]?.stringValue,
              let slash = start.firstIndex(of: "/")
        else {
            throw StatusError.badRequest("continue key is not valid: illegal base64 data at input byte 0")
        }
        return ContinueToken(resourceVersion: rv, namespace: String(start[..<slash]),
                             name: String(start[start.index(after: slash)...]))
    }
}
