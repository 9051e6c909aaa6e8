import CapstanAPI

/// `storeGC: OnWorkflowDeletion` (SPEC §13): while the Workflow exists it carries the
/// `capstan.dev/store-gc` finalizer; once it is being deleted, its prefix
/// (`NAMESPACE/WORKFLOW/UID/`: outputs, inputs, checkpoints) is deleted from the store and
/// then the finalizer removed. The cache (`NAMESPACE/.cache/`) is shared and stays. Only
/// the finalizer decides, so a workflow whose spec no longer says so is still collected.
enum StoreCollection {
    /// The actions for a Workflow that is being deleted; nothing else happens to it.
    static func whileDeleting(_ metadata: ObjectMeta, layout: StorageLayout, results: ActionResults) -> [EngineAction] {
        guard metadata.finalizers.contains(StoreGCPolicy.finalizer) else { return [] }
        let prefix = layout.workflowPrefix
        return results.deletedPrefixes.contains(prefix)
            ? [.removeFinalizer(StoreGCPolicy.finalizer)] : [.deleteStorePrefix(prefix)]
    }

    /// The finalizer follows the spec while the Workflow lives.
    static func finalizerAction(_ metadata: ObjectMeta, policy: StoreGCPolicy) -> EngineAction? {
        let present = metadata.finalizers.contains(StoreGCPolicy.finalizer)
        switch policy {
        case .onWorkflowDeletion: return present ? nil : .addFinalizer(StoreGCPolicy.finalizer)
        case .never: return present ? .removeFinalizer(StoreGCPolicy.finalizer) : nil
        }
    }
}
