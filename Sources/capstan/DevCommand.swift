import ArgumentParser
import CapstanController
import Foundation

struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run a workflow on this machine with nothing installed.",
        discussion: """
            Starts an API server, the controller and a kubelet that runs each pod's command as a local
            process, all inside this process; runs the workflow in namespace default and shows its
            progress on standard error. The store is the folder DIR (outputs, checkpoints, the cache);
            every attempt's output is kept in DIR/logs/. Every Secret in the files, and each --secret, is
            created first; a node's path secret is written to that path on this machine (mode 0600) for
            the attempt and removed after it. Ctrl-C aborts the workflow. With --ui, the web UI of
            `capstan ui` follows the run at the URL printed, and stays up after it until Ctrl-C.
            Exits 0 when the workflow succeeds, 1 when it fails or is aborted, 2 when it is invalid.
            """)

    @Argument(help: ArgumentHelp(
        "YAML or JSON files holding the one Workflow to run and any Secrets it reads (v1 Secret, data and/or stringData).",
        valueName: "file"))
    var files: [String] = []

    @Option(name: .customLong("secret"), help: ArgumentHelp(
        "Create a Secret before the run: each file in DIR a key named after the file, or the keys and values given (repeatable).",
        valueName: "NAME=DIR|KEY=VALUE,..."))
    var secrets: [String] = []

    @Option(name: .customLong("input"), help: ArgumentHelp(
        "Override one of spec.inputs; VALUE is JSON when it parses as JSON, else a string (repeatable).",
        valueName: "NAME=VALUE"))
    var inputs: [String] = []

    @Option(help: ArgumentHelp("Folder for outputs, checkpoints, the cache and logs.", valueName: "DIR"))
    var store = ".capstan"

    @Option(help: "text prints a summary; json prints the finished Workflow with its status.")
    var output = "text"

    @Flag(help: "Serve the web UI for this run on a free loopback port, and keep it up after the run until Ctrl-C.")
    var ui = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give the Workflow file to run") }
        guard ["text", "json"].contains(output) else { throw ValidationError("--output must be text or json, not \"\(output)\"") }
        for input in inputs {
            do { _ = try InputOverride(parsing: input) } catch { throw ValidationError(error.description) }
        }
        guard !store.isEmpty else { throw ValidationError("--store must name a folder") }
    }

    func run() async throws {
        var overrides: [InputOverride] = []
        for text in inputs {
            do { overrides.append(try InputOverride(parsing: text)) } catch { throw ValidationError(error.description) }
        }
        let code = await DevSession(files: files, secretFlags: secrets, overrides: overrides, directory: DevDirectory(path: store),
                                    jsonOutput: output == "json", serveUI: ui).run()
        if code != 0 { throw ExitCode(code) }
    }
}
