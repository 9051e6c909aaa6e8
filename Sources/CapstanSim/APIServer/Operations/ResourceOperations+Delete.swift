import CapstanAPI
import CapstanSupport

extension ResourceOperations {
    enum Propagation: String, Sendable {
        case orphan = "Orphan"
        case background = "Background"
        case foreground = "Foreground"
    }

    struct DeleteOptions: Sendable {
        var propagation: Propagation?
        var preconditionUID: String?
        var preconditionResourceVersion: String?
        var gracePeriodSeconds: Int?
        var dryRun = false

        /// Reads a `DeleteOptions` body; query parameters are folded in by the caller.
        init(body: JSONValue?) throws(StatusError) {
            guard let body, case .object = body else { return }
            if let policy = body["propagationPolicy"]?.stringValue {
                guard let parsed = Propagation(rawValue: policy) else {
                    throw StatusError(code: 422, reason: "Invalid",
                                      message: "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"\(policy)\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\"")
                }
                propagation = parsed
            } else if let orphan = body["orphanDependents"]?.boolValue {
                propagation = orphan ? .orphan : .background
            }
            preconditionUID = body["preconditions"]?["uid"]?.stringValue
            preconditionResourceVersion = body["preconditions"]?["resourceVersion"]?.stringValue
            gracePeriodSeconds = body["gracePeriodSeconds"]?.intValue
            dryRun = !(body["dryRun"]?.arrayValue ?? []).isEmpty
        }

        init() {}
    }

    /// DELETE: removes the object at once, or marks it with deletionTimestamp while finalizers
    /// (its own, `foregroundDeletion`, `orphan`, a namespace's content, a pod's kubelet) remain.
    func delete(_ scope: Scope, name: String, options: DeleteOptions) throws(StatusError) -> StoredObject {
        let type = scope.type
        let propagation = options.propagation ?? .background
        let isNamespace = type.group.isEmpty && type.plural == "namespaces"
        let result = try store.write(scope.key(name), selectableFieldPaths: scope.selectableFieldPaths,
                                     dryRun: options.dryRun) { (current) throws(StatusError) -> SimObjectStore.WriteAction? in
            guard let current else { throw StatusError.notFound(type.groupResource, name) }
            if let uid = options.preconditionUID, uid != current.uid {
                throw StatusError.conflict(type.groupResource, name,
                                           reason: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)")
            }
            if let rv = options.preconditionResourceVersion, rv != String(current.resourceVersion) {
                throw StatusError.conflict(type.groupResource, name,
                                           reason: "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(current.resourceVersion)")
            }
            var finalizers = current.finalizers
            if propagation == .foreground && !finalizers.contains("foregroundDeletion") { finalizers.append("foregroundDeletion") }
            if propagation == .orphan && !finalizers.contains("orphan") { finalizers.append("orphan") }
            // A pod's node and phase are among its selectable fields: no need to decode it.
            let waitsForKubelet = gracefulPodDeletion && type.group.isEmpty && type.plural == "pods"
                && (current.selectableFields["spec.nodeName"] ?? "") != ""
                && !["Succeeded", "Failed"].contains(current.selectableFields["status.phase"] ?? "")
                && (options.gracePeriodSeconds ?? 1) > 0
            if finalizers.isEmpty && !isNamespace && !waitsForKubelet {
                return .deleteAsStored
            }
            var object = current.value()
            if current.isTerminating {
                guard finalizers != current.finalizers else { return nil }
            } else {
                var grace = 0
                if waitsForKubelet {
                    grace = options.gracePeriodSeconds ?? object["spec"]?["terminationGracePeriodSeconds"]?.intValue ?? 30
                }
                let deletion = UTCTime(secondsSince1970: UTCTime.now().secondsSince1970 + Int64(grace))
                object["metadata"]?["deletionTimestamp"] = .string(deletion.rfc3339())
                object["metadata"]?["deletionGracePeriodSeconds"] = .number(Double(grace))
                let generation = object["metadata"]?["generation"]?.intValue ?? 0
                object["metadata"]?["generation"] = .number(Double(generation + 1))
                if isNamespace { object["status"]?["phase"] = "Terminating" }
            }
            object["metadata"]?["finalizers"] = finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) })
            return .put(object)
        }
        guard let result else { return try get(scope, name: name) }
        if options.dryRun { return result.stored }
        if result.deleted {
            afterDelete(scope, result.stored, propagation: propagation)
        } else {
            scheduleFinalization(scope.key(name))
        }
        return result.stored
    }

    /// Effects of an object leaving the store: dependents are collected, CRD content removed,
    /// and a namespace or owner waiting on this object is looked at again.
    func afterDelete(_ scope: Scope, _ deleted: StoredObject, propagation: Propagation) {
        let type = scope.type
        if type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions" {
            let definition = try? CustomResourceDefinition(deleted.value())
            registry.uninstall(definitionNamed: deleted.name)
            if let definition { scheduleContentRemoval(GroupResource(group: definition.group, resource: definition.plural)) }
        }
        if propagation != .orphan {
            scheduleDependentsCollection(ownerUID: deleted.uid)
        }
        for owner in deleted.ownerUIDs { scheduleOwnerRecheck(uid: owner) }
        if type.namespaced {
            scheduleFinalization(StoredObjectKey(resource: GroupResource(group: "", resource: "namespaces"), namespace: "",
                                                 name: deleted.namespace))
        }
    }
}
