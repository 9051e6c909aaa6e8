import Foundation
import ArgumentParser

@main
struct Capstan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capstan",
        abstract: "A workflow execution engine for Kubernetes.",
        subcommands: [
            RunCommand.self, DevCommand.self, ValidateCommand.self, CRDCommand.self, Sim.self, SubmitCommand.self, GetCommand.self,
            LogsCommand.self, RetryCommand.self, AbortCommand.self, ApproveCommand.self, RejectCommand.self, UICommand.self, Version.self,
            WorkerCommand.self,
        ]
    )

    /// Bad usage exits 2, as every Capstan command documents, rather than the parser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if command is RunCommand || command is DevCommand {
                // Here, before the first await starts any other thread: see MallocArenas.
                MallocArenas.limit(to: 1, environment: ProcessInfo.processInfo.environment)
            }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandleOutput.standardError(fullMessage(for: error))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

enum FileHandleOutput {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print(capstanVersion) }
}

let capstanVersion = "0.1.0"
