import CapstanAPI

/// Checks a node's `secrets` before anything runs, so that a mistake is a located error
/// rather than a pod the API server refuses or a task that reads the wrong value.
struct SecretChecker {
    let path: String
    let problems: ProblemList

    /// `envNames`: the node's own `env`, which a secret must not silently replace.
    func check(_ secrets: [SecretReference], envNames: Set<String>, podTemplate: PodTemplate?) {
        let mountPaths = Set((podTemplate?.volumeMounts ?? []).compactMap { $0["mountPath"]?.stringValue })
        if (podTemplate?.volumes ?? []).contains(where: { $0["name"]?.stringValue == SecretVolume.name }), secrets.contains(where: \.isFile) {
            problems.add("\(path).podTemplate.volumes", "the volume name \"\(SecretVolume.name)\" is reserved for the node's secrets")
        }
        var variables: Set<String> = []
        var files: Set<String> = []
        for (i, secret) in secrets.enumerated() {
            let secretPath = "\(path).secrets[\(i)]"
            if !DNSName.isSubdomain(secret.name) {
                problems.add("\(secretPath).name", "\"\(secret.name)\" is not a valid Secret name: lower-case letters, digits, '-' and '.', at most 253")
            }
            if !SecretReference.isValidKey(secret.key) {
                problems.add("\(secretPath).key", "\"\(secret.key)\" is not a valid Secret key: letters, digits, '-', '_' and '.', at most 253, not starting with \"..\"")
            }
            switch secret.target {
            case .env(let name):
                checkVariable(name, at: "\(secretPath).env", envNames: envNames, seen: &variables)
            case .path(let file):
                checkFile(file, at: "\(secretPath).path", mountPaths: mountPaths, seen: &files)
            }
        }
    }

    private func checkVariable(_ name: String, at fieldPath: String, envNames: Set<String>, seen: inout Set<String>) {
        if !NodeCompiler.isEnvName(name) {
            problems.add(fieldPath, "\"\(name)\" is not a valid environment variable name")
        } else if name.hasPrefix("CAPSTAN_") {
            problems.add(fieldPath, "\"\(name)\" is reserved: CAPSTAN_ variables are set by Capstan")
        } else if envNames.contains(name) {
            problems.add(fieldPath, "\"\(name)\" is also set by the node's env; give the secret another variable")
        } else if !seen.insert(name).inserted {
            problems.add(fieldPath, "two secrets set the environment variable \"\(name)\"")
        }
    }

    private func checkFile(_ file: String, at fieldPath: String, mountPaths: Set<String>, seen: inout Set<String>) {
        let parts = file.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if !file.hasPrefix("/") {
            problems.add(fieldPath, "\"\(file)\" must be an absolute path, such as /var/run/secrets/token")
        } else if parts.isEmpty || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            problems.add(fieldPath, "\"\(file)\" must name a file: no empty, '.' or '..' parts and no trailing '/'")
        } else if file == SecretVolume.terminationMessagePath {
            problems.add(fieldPath, "\(file) is where the task writes its outputs; choose another path")
        } else if mountPaths.contains(file) {
            problems.add(fieldPath, "\(file) is also a mountPath in podTemplate.volumeMounts")
        } else if !seen.insert(file).inserted {
            problems.add(fieldPath, "two secrets are mounted at \(file)")
        }
    }
}

extension SecretReference {
    var isFile: Bool {
        if case .path = target { return true }
        return false
    }
}
