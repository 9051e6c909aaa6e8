import CapstanAPI

extension ResourceOperations {
    enum PatchType: String, Sendable {
        case json = "application/json-patch+json"
        case merge = "application/merge-patch+json"
        case strategic = "application/strategic-merge-patch+json"
        case apply = "application/apply-patch+yaml"
    }

    /// PUT on the object or its `status` subresource.
    func update(_ scope: Scope, name: String, body: JSONValue, subresource: String?,
                dryRun: Bool = false) throws(StatusError) -> StoredObject {
        try checkTypeMeta(body, scope)
        let bodyName = body["metadata"]?["name"]?.stringValue ?? ""
        if bodyName != name {
            throw StatusError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if scope.type.namespaced, let ns = body["metadata"]?["namespace"]?.stringValue, !ns.isEmpty, ns != scope.namespace {
            throw StatusError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        let requestedVersion = body["metadata"]?["resourceVersion"]?.stringValue ?? ""
        if requestedVersion.isEmpty && !scope.type.allowsUnconditionalUpdate {
            throw StatusError.invalid(scope.type.groupResource, kind: scope.type.kind, name: name,
                                      field: "metadata.resourceVersion",
                                      message: "Invalid value: 0x0: must be specified for an update")
        }
        return try commitUpdate(scope, name: name, subresource: subresource, dryRun: dryRun) { (current, _) throws(StatusError) in
            if !requestedVersion.isEmpty && requestedVersion != String(current.resourceVersion) {
                throw StatusError.conflict(scope.type.groupResource, name)
            }
            return body
        }
    }

    /// PATCH with a JSON, merge or strategic-merge patch, applied to the stored object.
    func patch(_ scope: Scope, name: String, type: PatchType, patch: [UInt8], subresource: String?,
               dryRun: Bool = false) throws(StatusError) -> StoredObject {
        if type == .strategic && scope.type.isCustom || type == .apply {
            var accepted = ["application/json-patch+json", "application/merge-patch+json"]
            if !scope.type.isCustom { accepted.append("application/strategic-merge-patch+json") }
            throw StatusError.unsupportedMediaType(type.rawValue, accepted: accepted)
        }
        let document: JSONValue
        do { document = try JSONValue.parse(patch) } catch {
            throw StatusError.badRequest("error decoding patch: \(error.description)")
        }
        return try commitUpdate(scope, name: name, subresource: subresource, dryRun: dryRun) { (_, currentValue) throws(StatusError) in
            let patched: JSONValue
            switch type {
            case .merge:
                guard case .object = document else { throw StatusError.badRequest("error decoding patch: merge patch must be a JSON object") }
                patched = MergePatch.apply(document, to: currentValue)
            case .json:
                do throws(JSONPatch.Failure) { patched = try JSONPatch.apply(document, to: currentValue) } catch {
                    throw StatusError(code: 422, reason: "Invalid", message: error.message)
                }
            case .strategic:
                do throws(StrategicMergePatch.Failure) { patched = try StrategicMergePatch.apply(document, to: currentValue) } catch {
                    throw StatusError(code: 422, reason: "Invalid", message: error.message)
                }
            case .apply:
                patched = currentValue
            }
            // A patch may carry a resourceVersion precondition; the stored one is otherwise kept.
            let requested = patched["metadata"]?["resourceVersion"]?.stringValue ?? ""
            if !requested.isEmpty && requested != currentValue["metadata"]?["resourceVersion"]?.stringValue {
                throw StatusError.conflict(scope.type.groupResource, name)
            }
            return patched
        }
    }

    /// The part shared by update and patch: `produce` turns the current object into the
    /// requested one; then the server-owned fields are restored, status handled per
    /// subresource, generation bumped on spec changes, and finalization completed.
    func commitUpdate(_ scope: Scope, name: String, subresource: String?, dryRun: Bool,
                      produce: (StoredObject, JSONValue) throws(StatusError) -> JSONValue) throws(StatusError) -> StoredObject {
        let type = scope.type
        if let subresource, subresource != "status" || !type.hasStatus {
            throw StatusError.pathNotFound()
        }
        var crdDefinition: CustomResourceDefinition?
        let result = try store.write(scope.key(name), selectableFieldPaths: scope.selectableFieldPaths, dryRun: dryRun) {
            (current) throws(StatusError) -> SimObjectStore.WriteAction? in
            guard let current else { throw StatusError.notFound(type.groupResource, name) }
            let old = current.value()
            var requested = try produce(current, old)
            guard case .object = requested else { throw StatusError.badRequest("the object must be a JSON object") }
            var new: JSONValue
            if subresource == "status" {
                new = old
                new["status"] = requested["status"]
            } else {
                if type.hasStatus { requested["status"] = old["status"] }
                new = requested
                new["metadata"] = UpdateRules.mergeServerOwnedMetadata(old: old["metadata"] ?? [:],
                                                                        requested: requested["metadata"] ?? [:])
                new["apiVersion"] = old["apiVersion"]
                new["kind"] = old["kind"]
            }
            try applySchema(&new, scope, name: name, stored: old)
            if subresource == nil { try validate(scope, new, name: name, podSpec: false) }
            try UpdateRules.checkFinalizers(old: old, new: new, type: type, name: name)
            // A status write keeps everything else as stored, so only a write of the object can change its spec.
            if subresource == nil && UpdateRules.specChanged(old: old, new: new, hasStatus: type.hasStatus) {
                new["metadata"]?["generation"] = .number(Double((old["metadata"]?["generation"]?.intValue ?? 0) + 1))
            }
            if type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions" && subresource == nil {
                let definition = try CustomResourceDefinition(new)
                new["status"] = definition.establishedStatus
                crdDefinition = definition
            }
            new["metadata"]?["resourceVersion"] = old["metadata"]?["resourceVersion"]
            if new == old { return nil }
            if UpdateRules.isTerminating(new) && (new["metadata"]?["finalizers"]?.arrayValue ?? []).isEmpty {
                return .delete(new)
            }
            return .put(new)
        }
        guard let result else { return try get(scope, name: name) }
        if !dryRun {
            if let crdDefinition { registry.install(crdDefinition) }
            if result.deleted { afterDelete(scope, result.stored, propagation: .background) }
            else if let previous = result.previous { afterUpdate(scope, old: previous, new: result.stored) }
        }
        return result.stored
    }

    /// Finalizer changes the garbage collector and namespace finalizer may need to act on.
    private func afterUpdate(_ scope: Scope, old: StoredObject, new: StoredObject) {
        if new.isTerminating && new.finalizers != old.finalizers {
            scheduleFinalization(scope.key(new.name))
        }
        if Set(old.ownerUIDs) != Set(new.ownerUIDs) {
            for owner in Set(old.ownerUIDs).subtracting(new.ownerUIDs) { scheduleOwnerRecheck(uid: owner) }
        }
    }
}

/// The rules an update follows whichever verb carried it.
enum UpdateRules {
    /// Clients may change labels, annotations, finalizers and ownerReferences; the server keeps the rest.
    static func mergeServerOwnedMetadata(old: JSONValue, requested: JSONValue) -> JSONValue {
        var merged = requested
        for key in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
                    "namespace", "name", "generateName", "selfLink"] {
            merged[key] = old[key]
        }
        return merged
    }

    /// kube bumps generation for changes outside metadata (and outside status when status is its own subresource).
    static func specChanged(old: JSONValue, new: JSONValue, hasStatus: Bool) -> Bool {
        var a = old
        var b = new
        for key in ["metadata", "apiVersion", "kind"] { a[key] = nil; b[key] = nil }
        if hasStatus { a["status"] = nil; b["status"] = nil }
        return a != b
    }

    static func isTerminating(_ object: JSONValue) -> Bool {
        object["metadata"]?["deletionTimestamp"].map { !$0.isNull } ?? false
    }

    /// No finalizer may be added to an object that is already being deleted.
    static func checkFinalizers(old: JSONValue, new: JSONValue, type: ServedResource, name: String) throws(StatusError) {
        guard isTerminating(old) else { return }
        let before = Set((old["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue))
        let after = (new["metadata"]?["finalizers"]?.arrayValue ?? []).compactMap(\.stringValue)
        let added = after.filter { !before.contains($0) }
        if !added.isEmpty {
            let list = added.map { "\"\($0)\"" }.joined(separator: ", ")
            throw StatusError.invalid(type.groupResource, kind: type.kind, name: name, field: "metadata.finalizers",
                                      message: "Forbidden: no new finalizers can be added if the object is being "
                                          + "deleted, found new finalizers []string{\(list)}",
                                      causeReason: "FieldValueForbidden")
        }
    }
}
