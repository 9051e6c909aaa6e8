import CapstanAPI
import CapstanKube
import Foundation
import Testing
import TestSupport

/// `GET pods/NAME/log` answered as kube-apiserver and the kubelet answer it, checked with
/// kubectl 1.32 and raw HTTP. The API server runs alone (`--nodes 0`) so each test sets the
/// pod's node and container states itself.
@Suite struct PodLogTests {
    private let pods = "/api/v1/namespaces/default/pods"

    private func pod(_ name: String, log: String, containers: [String] = ["main"]) -> JSONValue {
        ["apiVersion": "v1", "kind": "Pod",
         "metadata": ["name": .string(name), "annotations": ["sim.capstan.dev/log": .string(log)]],
         "spec": ["restartPolicy": "Never", "containers": .array(containers.map { ["name": .string($0), "image": "busybox:1.36"] })]]
    }

    /// Puts the pod on a node and gives its `main` container `state`.
    private func place(_ sim: SimProcess, _ name: String, state: JSONValue) async throws {
        let binding: JSONValue = ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": .string(name)],
                                  "target": ["apiVersion": "v1", "kind": "Node", "name": "node-1"]]
        let bound = try await RawHTTP.request(sim.url, "POST", "\(pods)/\(name)/binding", json: binding)
        try #require(bound.status == 201, "\(bound)")
        try await setState(sim, name, state)
    }

    private func setState(_ sim: SimProcess, _ name: String, _ state: JSONValue) async throws {
        let status: JSONValue = ["status": ["containerStatuses": [["name": "main", "image": "busybox:1.36", "imageID": "", "ready": false,
                                                                   "restartCount": 0, "state": state]]]]
        let patched = try await RawHTTP.request(sim.url, "PATCH", "\(pods)/\(name)/status", json: status,
                                                headers: ["Content-Type": "application/merge-patch+json"])
        try #require(patched.status == 200, "\(patched)")
    }

    @Test func aContainerThatHasNotStartedSaysWhatItWaitsFor() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        _ = try await RawHTTP.request(sim.url, "POST", pods, json: pod("unscheduled", log: "hello\n"))
        let unscheduled = try await sim.kubectl("logs", "unscheduled")
        #expect(unscheduled.exitCode == 0 && unscheduled.stdout.isEmpty, "a pod on no node has an empty log: \(unscheduled)")

        for (name, reason, words) in [("pulling", "ErrImagePull", "image can't be pulled"),
                                      ("backoff", "ImagePullBackOff", "trying and failing to pull image"),
                                      ("creating", "ContainerCreating", "ContainerCreating")] {
            _ = try await RawHTTP.request(sim.url, "POST", pods, json: pod(name, log: "hello\n"))
            try await place(sim, name, state: ["waiting": ["reason": .string(reason)]])
            let answer = try await RawHTTP.request(sim.url, "GET", "\(pods)/\(name)/log")
            #expect(answer.status == 400, "\(answer)")
            #expect(answer.json?["reason"] == "BadRequest")
            #expect(answer.json?["message"] == .string("container \"main\" in pod \"\(name)\" is waiting to start: \(words)"))
            let kubectl = try await sim.kubectl("logs", name)
            #expect(kubectl.exitCode == 1)
            #expect(kubectl.stderr.contains("Error from server (BadRequest): container \"main\" in pod \"\(name)\" is waiting to start: \(words)"),
                    "\(kubectl)")
        }
    }

    @Test func theContainerMustBeNamedWhenThereAreSeveral() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        _ = try await RawHTTP.request(sim.url, "POST", pods, json: pod("two", log: "from main\n", containers: ["main", "sidecar"]))
        try await place(sim, "two", state: ["running": ["startedAt": "2026-12-05T00:00:00Z"]])
        let unnamed = try await RawHTTP.request(sim.url, "GET", "\(pods)/two/log")
        #expect(unnamed.status == 400)
        #expect(unnamed.json?["message"] == "a container name must be specified for pod two, choose one of: [main sidecar]")
        let unknown = try await RawHTTP.request(sim.url, "GET", "\(pods)/two/log?container=nope")
        #expect(unknown.json?["message"] == "container nope is not valid for pod two")
        let main = try await sim.kubectl("logs", "two", "-c", "main")
        #expect(main.stdout == "from main\n", "\(main)")
        let missing = try await sim.kubectl("logs", "gone")
        #expect(missing.stderr.contains(#"pods "gone" not found"#), "\(missing)")
    }

    @Test func aTerminatedContainerKeepsItsLogAndTailCutsIt() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        _ = try await RawHTTP.request(sim.url, "POST", pods, json: pod("done", log: "one\ntwo\nthree\n"))
        try await place(sim, "done", state: ["terminated": ["exitCode": 0, "reason": "Completed"]])
        #expect(try await sim.kubectl("logs", "done").stdout == "one\ntwo\nthree\n")
        #expect(try await sim.kubectl("logs", "done", "--tail", "2").stdout == "two\nthree\n")
    }

    @Test func followingStreamsNewLinesAndEndsWithTheContainer() async throws {
        let sim = try await SimProcess.start(["--nodes", "0"])
        _ = try await RawHTTP.request(sim.url, "POST", pods, json: pod("live", log: "started\n"))
        try await place(sim, "live", state: ["running": ["startedAt": "2026-12-05T00:00:00Z"]])
        let client = try KubeClient(config: try KubeConfig.load(kubeconfigPath: sim.kubeconfigPath))
        defer { Task { try? await client.shutdown() } }
        var lines = try await client.podLog(namespace: "default", pod: "live", container: "main", follow: true).makeAsyncIterator()
        #expect(try await lines.next() == "started")
        let annotate = try await RawHTTP.request(sim.url, "PATCH", "\(pods)/live", json: ["metadata": ["annotations": ["sim.capstan.dev/log": "started\n\nfinished\n"]]],
                                                 headers: ["Content-Type": "application/merge-patch+json"])
        try #require(annotate.status == 200)
        #expect(try await lines.next() == "", "blank lines are the program's and are kept")
        #expect(try await lines.next() == "finished", "a line written later arrives on the open stream")
        try await setState(sim, "live", ["terminated": ["exitCode": 0, "reason": "Completed"]])
        #expect(try await lines.next() == nil, "the stream ends when the container does")

        let followed = try await sim.kubectl("logs", "-f", "live")
        #expect(followed.stdout == "started\n\nfinished\n", "kubectl -f of an ended container prints it all and returns: \(followed)")
    }
}
