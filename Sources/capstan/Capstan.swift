import ArgumentParser

@main
struct Capstan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capstan",
        abstract: "A workflow execution engine for Kubernetes.",
        subcommands: [Version.self, Sim.self]
    )
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version.")
    func run() { print(capstanVersion) }
}

let capstanVersion = "0.1.0"
