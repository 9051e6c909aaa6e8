import Foundation

extension KubeConfig {
    /// Reads kubeconfig files and resolves one context. With several paths (a `KUBECONFIG`
    /// list) the files are merged the way kubectl does it: for every name, the first file
    /// that defines it wins; missing files in a list are skipped unless `requireAll`.
    public static func fromKubeconfig(paths: [String], context requested: String? = nil, requireAll: Bool = true) throws -> KubeConfig {
        var merged: KubeconfigFile?
        var read: [String] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                if requireAll || FileManager.default.fileExists(atPath: path) {
                    throw KubeConfigError(location: path, reason: "cannot read the kubeconfig file")
                }
                continue
            }
            let file: KubeconfigFile
            do {
                file = try KubeconfigFile.parse(String(decoding: data, as: UTF8.self))
            } catch {
                throw KubeConfigError(location: path, reason: "not a valid kubeconfig: \(error)")
            }
            let absolute = file.resolvingRelativePaths(against: URL(fileURLWithPath: path).deletingLastPathComponent())
            merged = merged.map { $0.merged(with: absolute) } ?? absolute
            read.append(path)
        }
        let location = read.isEmpty ? paths.joined(separator: ":") : read.joined(separator: ":")
        guard let file = merged else {
            throw KubeConfigError(location: location, reason: "none of these kubeconfig files exists")
        }
        return try file.resolve(context: requested, location: location)
    }
}

extension KubeconfigFile {
    /// Paths inside a kubeconfig are relative to the file's folder, as kubectl reads them.
    func resolvingRelativePaths(against folder: URL) -> KubeconfigFile {
        func absolute(_ path: String?) -> String? {
            guard let path, !path.isEmpty, !path.hasPrefix("/") else { return path }
            if path.hasPrefix("~/") {
                return URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(String(path.dropFirst(2))).path
            }
            return folder.appendingPathComponent(path).standardizedFileURL.path
        }
        var copy = self
        for i in copy.clusters.indices {
            copy.clusters[i].value.certificateAuthority = absolute(copy.clusters[i].value.certificateAuthority)
        }
        for i in copy.users.indices {
            copy.users[i].value.clientCertificate = absolute(copy.users[i].value.clientCertificate)
            copy.users[i].value.clientKey = absolute(copy.users[i].value.clientKey)
            copy.users[i].value.tokenFile = absolute(copy.users[i].value.tokenFile)
            copy.users[i].value.folder = folder.path
        }
        return copy
    }

    func resolve(context requested: String?, location: String) throws -> KubeConfig {
        func fail(_ reason: String) -> KubeConfigError { KubeConfigError(location: location, reason: reason) }

        guard let contextName = requested ?? currentContext, !contextName.isEmpty else {
            throw fail("no current-context is set; set one with `kubectl config use-context NAME`")
        }
        guard let context = contexts.first(where: { $0.name == contextName })?.value else {
            throw fail("context \"\(contextName)\" is not defined (known: \(contexts.map(\.name).joined(separator: ", ")))")
        }
        guard let clusterName = context.cluster,
            let cluster = clusters.first(where: { $0.name == clusterName })?.value
        else {
            throw fail("context \"\(contextName)\" names cluster \"\(context.cluster ?? "")\", which is not defined")
        }
        guard let serverText = cluster.server, let server = URL(string: serverText), server.host != nil else {
            throw fail("cluster \"\(clusterName)\" has no valid server URL")
        }
        var user = KubeconfigFile.User()
        if let userName = context.user, !userName.isEmpty {
            guard let found = users.first(where: { $0.name == userName })?.value else {
                throw fail("context \"\(contextName)\" names user \"\(userName)\", which is not defined")
            }
            user = found
        }

        let where_ = "\(location) (context \(contextName))"
        let ca = try pem(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, what: "certificate-authority", location: where_)
        let cert = try pem(data: user.clientCertificateData, file: user.clientCertificate, what: "client-certificate", location: where_)
        let key = try pem(data: user.clientKeyData, file: user.clientKey, what: "client-key", location: where_)
        if (cert == nil) != (key == nil) {
            throw fail("user \"\(context.user ?? "")\" sets a client certificate without its key, or a key without its certificate")
        }

        let credentials: KubeConfig.Credentials
        if let token = user.token, !token.isEmpty {
            credentials = .bearer(TokenSource(token: token))
        } else if let tokenFile = user.tokenFile, !tokenFile.isEmpty {
            credentials = .bearer(TokenSource(file: tokenFile))
        } else if let username = user.username, let password = user.password {
            credentials = .basic(username: username, password: password)
        } else if let exec = user.exec, cert == nil {
            credentials = .bearer(TokenSource(plugin: try ExecCredentialPlugin(exec: exec, folder: user.folder ?? ".", location: where_)))
        } else if user.authProvider != nil, cert == nil {
            throw fail("user \"\(context.user ?? "")\" authenticates with an auth-provider plugin, which Capstan does not run; use an exec plugin, a token, a token file or a client certificate")
        } else {
            credentials = .none
        }

        return KubeConfig(
            server: server,
            certificateAuthorityPEM: ca,
            clientCertificatePEM: cert,
            clientKeyPEM: key,
            insecureSkipTLSVerify: cluster.insecureSkipTLSVerify ?? false,
            tlsServerName: cluster.tlsServerName,
            credentials: credentials,
            namespace: context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            origin: where_
        )
    }

    /// Inline base64 `-data` wins over a file path, as in kubectl.
    private func pem(data: String?, file: String?, what: String, location: String) throws -> [UInt8]? {
        if let data, !data.isEmpty {
            guard let decoded = Data(base64Encoded: data, options: .ignoreUnknownCharacters) else {
                throw KubeConfigError(location: location, reason: "\(what)-data is not valid base64")
            }
            return Array(decoded)
        }
        if let file, !file.isEmpty {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw KubeConfigError(location: location, reason: "cannot read \(what) file \(file)")
            }
            return Array(contents)
        }
        return nil
    }
}
