import CapstanAPI
import CapstanController
import CapstanEngine
import CapstanKube
import Foundation
import Logging

/// `capstan dev` from start to exit code: check the file, start the in-process cluster, run
/// the workflow, report, and shut everything down so that no process outlives the command.
struct DevSession {
    let files: [String]
    let secretFlags: [String]
    let overrides: [InputOverride]
    let directory: DevDirectory
    let jsonOutput: Bool
    /// `--ui`: serve the web UI for this run, and keep it up after the run until Ctrl-C.
    var serveUI = false

    /// 0 Succeeded, 1 Failed or Aborted (or could not run), 2 invalid.
    func run() async -> Int32 {
        let given: DevFiles
        do {
            given = try DevFiles.load(paths: files, secretFlags: secretFlags, overrides: overrides)
        } catch {
            error.lines.forEach(FileHandleOutput.standardError)
            return 2
        }
        do {
            try directory.create()
        } catch {
            FileHandleOutput.standardError("capstan dev: cannot create \(directory.root.path): \(error.localizedDescription)")
            return 2
        }
        let logger = Self.bootstrapLogging(to: directory.controllerLog)
        let signals = SignalTrap()
        defer { signals.release() }
        let cluster: DevCluster
        do {
            cluster = try await DevCluster.start(directory: directory, logger: logger)
        } catch {
            FileHandleOutput.standardError("capstan dev: cannot start: \(error)")
            return 1
        }
        let workflow = given.workflow
        let metadata = workflow.object["metadata"]
        let name = metadata?["name"]?.stringValue ?? metadata?["generateName"]?.stringValue ?? "workflow"
        let reporter = ProgressReporter(workflow: name)
        var ui: DevUI?
        if serveUI {
            do {
                ui = try await DevUI.start(cluster: cluster, logger: logger)
            } catch {
                await cluster.shutdown()
                FileHandleOutput.standardError("capstan dev: cannot serve the web UI: \(error)")
                return 1
            }
            reporter.note("capstan dev: web UI at \(ui!.url)")
        }
        reporter.note("capstan dev: running \(name) (\(workflow.nodeNames.count) node\(workflow.nodeNames.count == 1 ? "" : "s")); "
                      + "logs in \(relative(directory.logs)), kubectl --kubeconfig \(relative(directory.kubeconfig))")
        let outcome: DevRun.Outcome
        do {
            outcome = try await DevRun(
                cluster: cluster, workflow: workflow, secrets: given.secrets, templates: given.templates, signals: signals,
                reporter: reporter, logger: logger, kubeconfig: relative(directory.kubeconfig)
            ).execute()
        } catch let error as KubeError {
            reporter.finish()
            await ui?.stop()
            await cluster.shutdown()
            FileHandleOutput.standardError("capstan dev: \(error)")
            return error.isInvalid || error.isBadRequest ? 2 : 1
        } catch {
            reporter.finish()
            await ui?.stop()
            await cluster.shutdown()
            FileHandleOutput.standardError("capstan dev: \(error)")
            return 1
        }
        reporter.finish()
        if let ui {
            // The run's processes end first, so its logs are complete before the report reads
            // them; the API server stays up for the UI until Ctrl-C.
            await cluster.kubelet.shutdown()
            report(outcome, workflow: workflow, kubelet: cluster.kubelet)
            FileHandleOutput.standardError("capstan dev: the web UI stays up at \(ui.url) until Ctrl-C")
            await ui.waitForSignal(signals, seen: signals.count)
            await ui.stop()
            await cluster.shutdown()
            return outcome.status.phase == .succeeded ? 0 : 1
        }
        // Processes stopped and logs complete before anything is read from them.
        await cluster.shutdown()
        report(outcome, workflow: workflow, kubelet: cluster.kubelet)
        return outcome.status.phase == .succeeded ? 0 : 1
    }

    private func report(_ outcome: DevRun.Outcome, workflow: DevWorkflow, kubelet: DevKubelet) {
        let status = outcome.status
        var summary = RunSummary(workflow: outcome.name, status: status, nodeNames: workflow.nodeNames,
                                 elapsed: outcome.elapsed, nodeOutputs: Self.nodeOutputs(status))
        summary.exitNodes = workflow.exitNodes
        summary.children = outcome.children.children(of: outcome.uid).mapValues { children in
            children.map { RunSummary.tree($0, children: outcome.children, now: Timestamp(Date()), outputs: Self.nodeOutputs) }
        }
        let text = summary.lines.joined(separator: "\n")
        if jsonOutput {
            FileHandleOutput.standardError(text)
            FileHandle.standardOutput.write(Data((outcome.object.prettyPrinted() + "\n").utf8))
        } else {
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        }
        if status.phase != .succeeded {
            let name = outcome.name
            let uid = outcome.uid
            let failure = FailureReport(status: status, nodeNames: workflow.nodeNames, podless: workflow.podlessNodes) { node, index, attempt in
                kubelet.logPath(pod: PodNaming.name(workflow: name, uid: uid, node: node, index: index, attempt: attempt))
            }
            failure.lines.forEach(FileHandleOutput.standardError)
            if !status.phase.isTerminal {
                FileHandleOutput.standardError("capstan dev: stopped before \(name) finished (phase \(status.phase.rawValue))")
            }
        }
    }

    /// Each succeeded node's outputs, read back from the file store.
    static func nodeOutputs(_ status: WorkflowStatus) -> [String: JSONValue] {
        var outputs: [String: JSONValue] = [:]
        for (name, node) in status.nodes {
            guard let uri = node.outputsURI, let url = URL(string: uri), url.isFileURL,
                  let data = FileManager.default.contents(atPath: url.path),
                  let value = try? JSONValue.parse(Array(data)) else { continue }
            outputs[name] = value
        }
        return outputs
    }

    private func relative(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    private static func bootstrapLogging(to path: String) -> Logger {
        let sink = FileLogHandler.Sink(path: path)
        LoggingSystem.bootstrap { label in FileLogHandler(label: label, sink: sink) }
        return Logger(label: "capstan.dev")
    }
}
