import CapstanAPI
import CapstanSupport
import Foundation

extension ResourceOperations {
    /// POST: names the object (generateName), stamps uid, creationTimestamp and generation,
    /// applies the type's defaults, and refuses duplicates with 409 AlreadyExists.
    func create(_ scope: Scope, body: JSONValue, dryRun: Bool = false) throws(StatusError) -> StoredObject {
        try checkTypeMeta(body, scope)
        var object = body
        var metadata = object["metadata"]?.objectValue ?? [:]
        if let bodyNamespace = metadata["namespace"]?.stringValue, !bodyNamespace.isEmpty, scope.type.namespaced,
           bodyNamespace != scope.namespace
        {
            throw StatusError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        var name = metadata["name"]?.stringValue ?? ""
        let generateName = metadata["generateName"]?.stringValue ?? ""
        let generated = name.isEmpty && !generateName.isEmpty
        if name.isEmpty && !generated {
            throw StatusError.invalid(scope.type.groupResource, kind: scope.type.kind, name: "", field: "metadata.name",
                                      message: "Required value: name or generateName is required",
                                      causeReason: "FieldValueRequired")
        }
        if scope.type.namespaced { metadata["namespace"] = .string(scope.namespace) } else { metadata["namespace"] = nil }
        metadata["uid"] = .string(UUID().uuidString.lowercased())
        metadata["creationTimestamp"] = .string(UTCTime.now().rfc3339())
        metadata["generation"] = 1
        metadata["resourceVersion"] = nil
        metadata["deletionTimestamp"] = nil
        metadata["deletionGracePeriodSeconds"] = nil
        metadata["selfLink"] = nil
        object["metadata"] = .object(metadata)
        try ObjectDefaults.prepareForCreate(&object, type: scope.type)
        try applySchema(&object, scope, name: name.isEmpty ? generateName : name)

        for attempt in 0..<8 {
            if generated { name = generateName + NameGenerator.suffix() }
            object["metadata"]?["name"] = .string(name)
            try NameValidation.validate(name: name, type: scope.type)
            try checkNamespaceAcceptsWrites(scope, name: name)
            try admitCreate(scope, object, name: name)
            do throws(StatusError) {
                let result = try withPodQuota(scope, object, name: name) { () throws(StatusError) in
                    try store.write(scope.key(name), selectableFieldPaths: scope.selectableFieldPaths,
                                    dryRun: dryRun) { (current) throws(StatusError) -> SimObjectStore.WriteAction? in
                        if current != nil { throw StatusError.alreadyExists(scope.type.groupResource, name) }
                        return .put(object)
                    }
                }
                guard let result else { throw StatusError.internalError("create produced no object") }
                if !dryRun { afterCreate(scope, result.stored, value: object) }
                return result.stored
            } catch where generated && error.reason == "AlreadyExists" && attempt < 7 {
                continue
            }
        }
        throw StatusError.alreadyExists(scope.type.groupResource, name)
    }

    /// Effects kube's controllers would have right after a create.
    private func afterCreate(_ scope: Scope, _ stored: StoredObject, value: JSONValue) {
        let type = scope.type
        if type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions" {
            if let definition = try? CustomResourceDefinition(value) { registry.install(definition) }
        }
        if type.group.isEmpty && type.plural == "namespaces" {
            createDefaultServiceAccount(in: stored.name)
        }
        if !stored.ownerUIDs.isEmpty && stored.ownerUIDs.allSatisfy({ store.key(ofUID: $0) == nil }) {
            // kube's garbage collector removes objects created with only absent owners.
            scheduleOrphanCheck(scope.key(stored.name))
        }
    }

    func createDefaultServiceAccount(in namespace: String) {
        guard let type = registry.lookup(GroupVersion(group: "", version: "v1"), plural: "serviceaccounts") else { return }
        let account: JSONValue = ["apiVersion": "v1", "kind": "ServiceAccount",
                                  "metadata": ["name": "default", "namespace": .string(namespace)]]
        _ = try? create(Scope(type: type, namespace: namespace), body: account)
    }
}

/// Random suffixes for generateName, from the alphabet kube uses (no vowels, no confusable digits).
enum NameGenerator {
    private static let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    static func suffix(length: Int = 5) -> String {
        String((0..<length).map { _ in alphabet.randomElement()! })
    }
}
