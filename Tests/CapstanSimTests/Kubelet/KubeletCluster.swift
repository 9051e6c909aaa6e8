import CapstanAPI
import Foundation
import Testing
import TestSupport

/// `capstan sim` as a real process with its kubelets, plus what the kubelet tests need:
/// create pods with kubectl, read them back, wait for a state.
struct KubeletCluster {
    let sim: SimProcess

    static func start(_ arguments: [String] = []) async throws -> KubeletCluster {
        KubeletCluster(sim: try await SimProcess.start(arguments))
    }

    func stop() async throws {
        try await sim.stop()
    }

    /// Creates the object with `kubectl create -f -`.
    func create(_ object: JSONValue) async throws {
        let result = try await sim.kubectl("create", "-f", "-", stdin: object.jsonString)
        guard result.exitCode == 0 else { throw KubeletTestFailure( "kubectl create failed: \(result)") }
    }

    func pod(_ name: String, namespace: String = "default") async throws -> JSONValue? {
        let response = try await RawHTTP.request(sim.url, "GET", "/api/v1/namespaces/\(namespace)/pods/\(name)")
        return response.status == 200 ? response.json : nil
    }

    /// Polls the pod until `condition` holds; fails with the pod's last state otherwise.
    @discardableResult
    func waitForPod(_ name: String, timeout: Double = 20, _ what: String,
                    until condition: (JSONValue) -> Bool) async throws -> JSONValue {
        var last: JSONValue?
        let reached = try await poll(timeout: .seconds(timeout), interval: .milliseconds(100)) { () async throws -> JSONValue? in
            last = try await pod(name)
            guard let last, condition(last) else { return nil }
            return last
        }
        if let reached { return reached }
        throw KubeletTestFailure( "pod \(name) did not become \(what) within \(Int(timeout))s; last seen: \(last?.jsonString ?? "nothing")\n\(sim.log)")
    }

    /// Waits for Succeeded or Failed.
    func finishedPod(_ name: String, timeout: Double = 20) async throws -> JSONValue {
        try await waitForPod(name, timeout: timeout, "Succeeded or Failed") {
            ["Succeeded", "Failed"].contains($0["status"]?["phase"]?.stringValue ?? "")
        }
    }

    func waitUntilGone(_ name: String, timeout: Double = 20) async throws {
        if try await eventually(timeout: .seconds(timeout), interval: .milliseconds(100), { try await pod(name) == nil }) { return }
        throw KubeletTestFailure( "pod \(name) still exists after \(Int(timeout))s: \(try await pod(name)?.jsonString ?? "")")
    }
}

/// A pod as Capstan creates them: restartPolicy Never, a `main` container.
func simPod(_ name: String, annotations: [String: String] = [:], labels: [String: String] = [:],
            command: [String] = ["sh", "-c", "true"], spec extra: [String: JSONValue] = [:],
            container containerExtra: [String: JSONValue] = [:]) -> JSONValue {
    var container: [String: JSONValue] = ["name": "main", "image": "busybox:1.36", "command": .array(command.map { .string($0) })]
    for (key, value) in containerExtra { container[key] = value }
    var spec: [String: JSONValue] = ["restartPolicy": "Never", "containers": [.object(container)]]
    for (key, value) in extra { spec[key] = value }
    return [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": .string(name), "annotations": .object(annotations.mapValues { .string($0) }),
                     "labels": .object(labels.mapValues { .string($0) })],
        "spec": .object(spec),
    ]
}

extension JSONValue {
    var phase: String? { self["status"]?["phase"]?.stringValue }
    /// The main container's terminated state.
    var terminated: JSONValue? { self["status"]?["containerStatuses"]?[0]?["state"]?["terminated"] }

    func condition(_ type: String) -> JSONValue? {
        self["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }
}

/// A wait that ran out, or a command that failed, with what was seen.
struct KubeletTestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
