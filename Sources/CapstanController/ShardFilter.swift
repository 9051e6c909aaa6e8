import CapstanAPI
import CapstanEngine

/// Which objects one replica of sharded controllers reconciles (`capstan run --shards N`):
/// those whose UID hashes to its shard. The hash is FNV-1a over the UID's bytes, the same in
/// every process and release (Swift's `Hasher` is seeded per process, so it cannot be used).
/// A UID never changes, so an object stays on its shard for life.
public struct ShardFilter: Sendable, Hashable {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 1 && (0..<count).contains(index), "shard \(index) of \(count)")
        self.index = index
        self.count = count
    }

    public func owns(uid: String) -> Bool { Self.shard(of: uid, count: count) == index }

    /// Whether this replica reconciles `object`, as a controller's cache holds it. One that is
    /// not there (deleted, or another shard's, which the cache does not keep) is every
    /// replica's: its reconcile only forgets what was kept of it, which is nothing if it was
    /// never this replica's.
    func owns(_ object: JSONValue?) -> Bool {
        owns(metadata: object?["metadata"])
    }

    /// Whether this replica keeps a Workflow in its cache, given its metadata: its own
    /// shard's, and every sub-workflow, whose parent may be on this shard and reads it.
    public func caches(workflowMetadata metadata: JSONValue) -> Bool {
        owns(metadata: metadata) || metadata["labels"]?[ChildWorkflows.parentLabel] != nil
    }

    /// Metadata without a UID (not yet created) is every replica's.
    private func owns(metadata: JSONValue?) -> Bool {
        guard let uid = metadata?["uid"]?.stringValue else { return true }
        return owns(uid: uid)
    }

    /// The label on each pod a sharded controller creates: which shard, of how many, its
    /// Workflow is on ("1-of-2"). Each replica watches only its shard's pods, so it does not
    /// decode the others' pod events; the count is in the value so that pods created under
    /// another `--shards` stay visible to every replica (see `podSelector`).
    public static let podLabel = "capstan.dev/shard"

    public static func podLabelValue(shard: Int, count: Int) -> String { "\(shard)-of-\(count)" }

    /// `podLabel`'s value for the pods of the Workflow with this UID.
    public static func podLabelValue(forWorkflowUID uid: String, count: Int) -> String {
        podLabelValue(shard: shard(of: uid, count: count), count: count)
    }

    /// The requirement this replica adds to its pod watch: every pod except those labelled
    /// for another shard of the same count. Pods created unsharded or under another shard
    /// count have no such label, so every replica keeps seeing them until they are gone.
    /// Nil with one shard: there is nothing to leave out.
    public var podSelector: String? {
        let others = (0..<count).filter { $0 != index }.map { Self.podLabelValue(shard: $0, count: count) }
        guard !others.isEmpty else { return nil }
        return "\(Self.podLabel) notin (\(others.joined(separator: ",")))"
    }

    public static func shard(of uid: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in uid.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(count))
    }
}
