import CapstanAPI

/// The controllers kube runs beside the API server that the simulated one must imitate for
/// deletions to finish: the garbage collector (ownerReferences, `orphan` and
/// `foregroundDeletion` finalizers), the namespace controller and CRD content cleanup.
/// They run on the background event loop, after the request that triggered them returned,
/// and are scheduled only when the store shows them something to do: most deletions (a
/// finished pod) have no dependents, no owner waiting in foreground deletion and no
/// namespace being removed, and waking the loop for each of them costs more than the check.
/// A change that lands after a check schedules its own work: an object created with absent
/// owners is checked on create, and an owner or namespace that starts terminating is
/// finalized then.
extension ResourceOperations {
    func scheduleDependentsCollection(ownerUID: String) {
        guard store.hasDependents(ofUID: ownerUID) else { return }
        background.execute { [self] in
            for key in store.dependents(ofUID: ownerUID) { collectIfOwnerless(key) }
        }
    }

    func scheduleOrphanCheck(_ key: StoredObjectKey) {
        background.execute { [self] in collectIfOwnerless(key) }
    }

    /// An owner in foreground deletion waits for its dependents; one of them went away.
    func scheduleOwnerRecheck(uid: String) {
        guard let key = store.key(ofUID: uid) else { return }
        scheduleFinalization(key)
    }

    func scheduleFinalization(_ key: StoredObjectKey) {
        guard let object = store.get(key), Self.awaitsFinalizing(object, key: key) else { return }
        background.execute { [self] in finalize(key) }
    }

    /// A terminating namespace, or an object held by a finalizer the garbage collector removes.
    private static func awaitsFinalizing(_ object: StoredObject, key: StoredObjectKey) -> Bool {
        object.isTerminating && (key.resource == GroupResource(group: "", resource: "namespaces")
            || object.finalizers.contains("orphan") || object.finalizers.contains("foregroundDeletion"))
    }

    func scheduleContentRemoval(_ resource: GroupResource) {
        background.execute { [self] in
            for key in store.keys(of: resource) { removeDirectly(key) }
        }
    }

    private func collectIfOwnerless(_ key: StoredObjectKey) {
        guard let object = store.get(key), !object.ownerUIDs.isEmpty else { return }
        let absent = object.ownerUIDs.filter { store.key(ofUID: $0) == nil }
        guard !absent.isEmpty else { return }
        guard let scope = scope(for: key) else { return removeDirectly(key) }
        if absent.count == object.ownerUIDs.count {
            _ = try? delete(scope, name: key.name, options: DeleteOptions())
        } else {
            // Other owners remain: only the references to the absent ones go.
            _ = try? commitUpdate(scope, name: key.name, subresource: nil, dryRun: false) { (_, value) throws(StatusError) in
                var updated = value
                let refs = value["metadata"]?["ownerReferences"]?.arrayValue ?? []
                updated["metadata"]?["ownerReferences"] = .array(refs.filter { ref in
                    !absent.contains(ref["uid"]?.stringValue ?? "")
                })
                return updated
            }
        }
    }

    /// Moves a terminating object toward removal by doing what its pending finalizers wait for.
    private func finalize(_ key: StoredObjectKey) {
        guard let object = store.get(key), Self.awaitsFinalizing(object, key: key), let scope = scope(for: key) else { return }
        if key.resource == GroupResource(group: "", resource: "namespaces") {
            return finalizeNamespace(key.name, scope: scope)
        }
        if object.finalizers.contains("orphan") {
            for dependent in store.dependents(ofUID: object.uid) {
                guard let dependentScope = self.scope(for: dependent) else { continue }
                _ = try? commitUpdate(dependentScope, name: dependent.name, subresource: nil, dryRun: false) {
                    (_, value) throws(StatusError) in
                    var updated = value
                    let refs = value["metadata"]?["ownerReferences"]?.arrayValue ?? []
                    let kept = refs.filter { $0["uid"]?.stringValue != object.uid }
                    updated["metadata"]?["ownerReferences"] = kept.isEmpty ? nil : .array(kept)
                    return updated
                }
            }
            removeFinalizer("orphan", from: key, scope: scope)
        }
        if object.finalizers.contains("foregroundDeletion") {
            let dependents = store.dependents(ofUID: object.uid)
            if dependents.isEmpty {
                removeFinalizer("foregroundDeletion", from: key, scope: scope)
            } else {
                for dependent in dependents {
                    guard let dependentScope = self.scope(for: dependent),
                          let current = store.get(dependent), !current.isTerminating else { continue }
                    var options = DeleteOptions()
                    options.propagation = .foreground
                    _ = try? delete(dependentScope, name: dependent.name, options: options)
                }
            }
        }
    }

    /// The namespace controller: delete everything inside, then the namespace itself.
    private func finalizeNamespace(_ name: String, scope: Scope) {
        let content = store.keys(inNamespace: name)
        if content.isEmpty {
            _ = try? store.write(scope.key(name), selectableFieldPaths: scope.selectableFieldPaths) { current in
                guard let current, current.isTerminating, current.finalizers.isEmpty else { return nil }
                return .deleteAsStored
            }
            return
        }
        for key in content {
            guard let current = store.get(key), !current.isTerminating else { continue }
            if let contentScope = self.scope(for: key) {
                _ = try? delete(contentScope, name: key.name, options: DeleteOptions())
            } else {
                removeDirectly(key)
            }
        }
    }

    private func removeFinalizer(_ finalizer: String, from key: StoredObjectKey, scope: Scope) {
        _ = try? commitUpdate(scope, name: key.name, subresource: nil, dryRun: false) { (_, value) throws(StatusError) in
            var updated = value
            let remaining = (value["metadata"]?["finalizers"]?.arrayValue ?? []).filter { $0.stringValue != finalizer }
            updated["metadata"]?["finalizers"] = remaining.isEmpty ? nil : .array(remaining)
            return updated
        }
    }

    /// Deletes without the API's rules, for objects whose resource is no longer served.
    private func removeDirectly(_ key: StoredObjectKey) {
        let result = try? store.write(key, selectableFieldPaths: FieldSelector.selectableFields(for: key.resource)) { current in
            current.map { _ in .deleteAsStored }
        }
        if let deleted = result?.stored {
            scheduleDependentsCollection(ownerUID: deleted.uid)
        }
    }

    func scope(for key: StoredObjectKey) -> Scope? {
        guard let type = registry.type(for: key.resource) else { return nil }
        return Scope(type: type, namespace: key.namespace)
    }
}
