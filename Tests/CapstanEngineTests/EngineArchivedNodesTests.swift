import Testing
import CapstanAPI
@testable import CapstanEngine
import TestSupport

/// Large DAGs: past `detailedNodeLimit` nodes, a node that finished well writes its full
/// status to the store and keeps a row in `status.archivedNodes`, so the status stays
/// under its 256 KiB budget while every node can still be listed.
@Suite struct EngineArchivedNodesTests {
    static let budget = 256 * 1024

    /// `count` nodes in a line, each after the one before.
    static func chain(_ count: Int) -> String {
        var yaml = "defaults: {image: busybox}\nnodes:\n  - {name: n0}\n"
        for index in 1..<count { yaml += "  - {name: n\(index), dependsOn: [n\(index - 1)]}\n" }
        return yaml
    }

    /// `width` nodes side by side, then one that depends on them all.
    static func fanIn(_ width: Int, join: String = "join") -> String {
        var yaml = "defaults: {image: busybox}\nnodes:\n"
        for index in 0..<width { yaml += "  - {name: w\(index)}\n" }
        yaml += "  - {name: \(join), dependsOn: [\((0..<width).map { "w\($0)" }.joined(separator: ", "))]}\n"
        return yaml
    }

    @Test func aTwoThousandNodeChainFinishesUnderTheStatusBudgetWithEveryNodeListed() async throws {
        let (status, lastDetails) = try await Blocking.compute {
            var h = try EngineHarness(Self.chain(2_000))
            let status = h.runToCompletion(limit: 20_000)
            return (status, h.store["ml/wf/uid-1/n1999/node.json"])
        }
        #expect(status.phase == .succeeded, "\(status.message ?? "")")
        let size = status.json.serialized().count
        #expect(size < Self.budget, "status is \(size) bytes")
        #expect(status.nodes.count == 2_000)
        #expect(status.nodes.values.allSatisfy { $0.phase == .succeeded && $0.attempts == 1 && $0.startedAt != nil && $0.finishedAt != nil })
        #expect(status.nodes.values.count { $0.archivePosition != nil } == 2_000, "all finished well, all archived")
        #expect(status.progress == "2000/2000")
        // Each archived node's details are in the store, with the key recoverFrom compares.
        let details = try #require(lastDetails)
        #expect(details["phase"] == "Succeeded")
        #expect(details["key"]?.stringValue?.count == 64)
        // Times survive the row: whole seconds, as every status time is.
        let n5 = try #require(status.nodes["n5"])
        #expect(n5.finishedAt! - n5.startedAt! >= 1)
    }

    @Test func aSmallWorkflowKeepsEveryDetailInItsStatus() throws {
        var h = try EngineHarness(Self.fanIn(3))
        let status = h.runToCompletion()
        #expect(status.phase == .succeeded)
        #expect(status.archive == nil)
        #expect(status.json["archivedNodes"] == nil)
        #expect(status.nodes.values.allSatisfy { $0.archivePosition == nil && $0.key != nil })
    }

    @Test func failedAndRunningNodesKeepTheirDetailsWhileTheOthersAreArchived() throws {
        var h = try EngineHarness("failurePolicy: Continue\n" + Self.fanIn(300))
        h.engine.config.systemRetries = 0
        h.script = { node, _, _ in node == "w7" ? .init(duration: 1, outcome: .failed, exitCode: 3) : .init(duration: node == "w8" ? 50 : 1) }
        for _ in 0..<5 { _ = h.reconcile(); h.advance(by: 1) }
        _ = h.reconcile()
        let json = h.status.json
        #expect(json["nodes"]?["w7"]?["phase"] == "Failed")
        #expect(json["nodes"]?["w7"]?["failures"]?[0]?["exitCode"] == 3)
        #expect(json["nodes"]?["w8"] == nil, "running with nothing more to say: a row")
        #expect(json["runningNodes"] == "w8 1 0")
        #expect(h.node("w8").phase == .running && h.node("w8").attempts == 1)
        #expect(json["nodes"]?["w0"] == nil, "archived: only its row is in the status")
        #expect(json["archivedNodes"]?["detailsPrefix"] == "file:///tmp/capstan-store/ml/wf/uid-1/")
        let rows = json["archivedNodes"]?["rows"]?.objectValue ?? [:]
        #expect(rows.keys.sorted() == ["0", "1", "2"], "298 rows, 100 a chunk")
        #expect(rows["0"]?.stringValue?.split(separator: ";").count == 100)
        #expect(rows.values.compactMap(\.stringValue).joined(separator: ";").contains("w0 S1 0+1"))
        #expect(h.node("w0").phase == .succeeded)
        #expect(h.createdPods(of: "join").isEmpty, "it waits on w8 and would never run after w7")
    }

    @Test func recoverFromReadsTheKeysOfArchivedNodesFromTheStore() throws {
        let spec = Self.fanIn(250)
        var earlier = try EngineHarness(spec)
        earlier.engine.config.systemRetries = 0
        earlier.script = { node, _, _ in .init(duration: 1, outcome: node == "join" ? .failed : .succeeded) }
        #expect(earlier.runToCompletion().phase == .failed)
        let recoverable = RecoverableNode.all(in: earlier.metadata, status: earlier.status, storeURL: earlier.engine.config.storeURL)
        #expect(recoverable.count == 250)
        #expect(recoverable["w3"]?.key == nil && recoverable["w3"]?.detailsKey == "ml/wf/uid-1/w3/node.json")

        var retry = try EngineHarness(spec.replacingOccurrences(of: "name: w4}", with: "name: w4, args: [changed]}"))
        retry.recoverable = recoverable
        retry.store = earlier.store
        #expect(retry.runToCompletion().phase == .succeeded)
        #expect(retry.node("w3").recovered)
        #expect(!retry.node("w4").recovered, "its spec changed, so its key did")
        #expect(retry.createdPods(of: "w4").count == 1)
        #expect(retry.createdPods(of: "w3").isEmpty)
        #expect(retry.createdPods(of: "join").count == 1)
    }

    @Test func aRowReadsBackAsTheNodeItSummarises() throws {
        var status = WorkflowStatus()
        status.startedAt = Timestamp(secondsSince1970: 1_000)
        status.archive = ArchivedNodes(detailsPrefix: "s3://b/p/ns/wf/u/")
        var node = NodeStatus(phase: .succeeded)
        node.attempts = 3
        node.startedAt = Timestamp(secondsSince1970: 1_120.6)
        node.finishedAt = Timestamp(secondsSince1970: 1_162.2)
        node.outputsURI = "s3://b/p/ns/wf/u/train-7/outputs.json"
        node.cached = true
        node.archivePosition = 0
        status.nodes["train-7"] = node
        var skipped = NodeStatus(phase: .skipped)
        skipped.archivePosition = 1
        status.nodes["maybe"] = skipped
        status.nodes["later"] = NodeStatus()

        let json = status.json
        #expect(json["archivedNodes"]?["rows"] == ["0": "train-7 S3 120+42 oc;maybe K0 -"])
        #expect(json["nodes"] == nil, "a node waiting to start is left out past the bound")
        let read = WorkflowStatus(json: json)
        #expect(read.nodes["train-7"]?.phase == .succeeded)
        #expect(read.nodes["train-7"]?.attempts == 3)
        #expect(read.nodes["train-7"]?.startedAt == Timestamp(secondsSince1970: 1_120))
        #expect(read.nodes["train-7"]?.finishedAt == Timestamp(secondsSince1970: 1_162))
        #expect(read.nodes["train-7"]?.outputsURI == node.outputsURI)
        #expect(read.nodes["train-7"]?.cached == true)
        #expect(read.nodes["maybe"]?.phase == .skipped)
        #expect(read.nodes["maybe"]?.startedAt == nil)
        #expect(read.archive?.detailsURI("maybe") == "s3://b/p/ns/wf/u/maybe/node.json")
    }

    /// Rows that do not say a node are left out, as any malformed status field is; the
    /// others keep their places.
    @Test func malformedRowsAreLeftOutAndTheRestReadBack() throws {
        let archive = ArchivedNodes(detailsPrefix: "s3://b/p/")
        let chunks: JSONValue = ["0": "a S1 0+5;;b Q1 -;c S2  3+4  or;d S1 1.5+2;e K0 -;f S;g S1 -+3", "x": "h S1 -"]
        let nodes = archive.decode(chunks, workflowStartedAt: Timestamp(secondsSince1970: 100.7))
        #expect(Set(nodes.keys) == ["a", "c", "e"])
        #expect(nodes["a"]?.archivePosition == 0)
        #expect(nodes["a"]?.finishedAt == Timestamp(secondsSince1970: 105))
        #expect(nodes["c"]?.archivePosition == 2, "empty rows take no place")
        #expect(nodes["c"]?.attempts == 2)
        #expect(nodes["c"]?.startedAt == Timestamp(secondsSince1970: 103))
        #expect(nodes["c"]?.outputsURI == "s3://b/p/c/outputs.json")
        #expect(nodes["c"]?.recovered == true)
        #expect(nodes["c"]?.cached == false)
        #expect(nodes["e"]?.phase == .skipped)
    }
}
