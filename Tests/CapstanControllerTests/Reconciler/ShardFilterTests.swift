import CapstanAPI
import CapstanController
import Foundation
import Testing

@Suite struct ShardFilterTests {
    /// Every replica, in every release, must put a UID on the same shard: the values are fixed.
    @Test func aUIDAlwaysHashesToTheSameShard() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c and of "foobar" 0x85944171f73967e8 (the
        // published test vectors): 996 and 968 modulo 1000.
        #expect(ShardFilter.shard(of: "a", count: 1000) == 996)
        #expect(ShardFilter.shard(of: "foobar", count: 1000) == 968)
        let uid = "0b6f3c1e-7d2a-4f3e-9a51-3c2d1e0f9a8b"
        #expect(ShardFilter.shard(of: uid, count: 4) == ShardFilter.shard(of: uid, count: 4))
        #expect(ShardFilter(index: ShardFilter.shard(of: uid, count: 4), count: 4).owns(uid: uid))
        #expect(ShardFilter.shard(of: uid, count: 1) == 0)
    }

    /// Random UIDs spread evenly: each of 4 shards gets a quarter of 20,000, give or take 5%.
    @Test func uidsSpreadEvenlyOverTheShards() {
        var counts = [Int](repeating: 0, count: 4)
        for _ in 0..<20_000 { counts[ShardFilter.shard(of: UUID().uuidString.lowercased(), count: 4)] += 1 }
        #expect(counts.allSatisfy { (4_750...5_250).contains($0) }, "\(counts)")
    }

    /// A replica caches its own Workflows and every sub-workflow (a parent on this shard
    /// reads its children wherever they run), and nothing else.
    @Test func eachReplicaCachesItsOwnWorkflowsAndEverySubWorkflow() {
        let filter = ShardFilter(index: 0, count: 2)
        let mine = (0..<50).map { "uid-\($0)" }.first { filter.owns(uid: $0) }!
        let theirs = (0..<50).map { "uid-\($0)" }.first { !filter.owns(uid: $0) }!
        let cases: [(metadata: JSONValue, cached: Bool)] = [
            (["uid": .string(mine)], true),
            (["uid": .string(theirs)], false),
            (["uid": .string(theirs), "labels": ["capstan.dev/parent": "p", "team": "a"]], true),
            (["uid": .string(theirs), "labels": ["team": "a"]], false),
            (["name": "no-uid-yet"], true),
        ]
        for (metadata, cached) in cases {
            #expect(filter.caches(workflowMetadata: metadata) == cached, "\(metadata)")
        }
    }

    /// Each replica watches its own shard's pods and every pod no shard of its count claims.
    @Test func eachReplicaSelectsEveryPodButTheOtherShards() {
        #expect(ShardFilter(index: 0, count: 1).podSelector == nil, "one shard: every pod")
        #expect(ShardFilter(index: 0, count: 2).podSelector == "capstan.dev/shard notin (1-of-2)")
        #expect(ShardFilter(index: 1, count: 3).podSelector == "capstan.dev/shard notin (0-of-3,2-of-3)")
        #expect(ShardFilter.podLabelValue(forWorkflowUID: "a", count: 1000) == "996-of-1000")
    }
}
