import CapstanAPI
import Foundation
import Testing
import TestSupport

/// The controller image hack/image.sh builds (hack/test.d/image.sh runs it before the tests):
/// its configuration agrees with the Dockerfile and the manifests, it holds only what the
/// binary needs, and the binary runs from its root filesystem as its user, as a controller
/// against a cluster.
@Suite("Controller image", .serialized)
struct ImageTests {
    static let binary = "/usr/local/bin/capstan"
    static let user = "65532:65532"

    func image() async throws -> UnpackedImage { try await UnpackedImage.shared() }

    @Test("the archive is under 100 MB: two gzip layers, the libraries and user files, then the binary")
    func sizeAndLayers() async throws {
        let image = try await image()
        #expect(image.archiveBytes > 0 && image.archiveBytes < 100_000_000,
                "\(image.archive) is \(image.archiveBytes) bytes")
        let layers = image.manifest["layers"]?.arrayValue ?? []
        #expect(layers.count == 2, "layers: \(layers.map(\.jsonString))")
        for layer in layers {
            #expect(layer["mediaType"]?.stringValue == "application/vnd.oci.image.layer.v1.tar+gzip")
        }
        let steps = (image.config["history"]?.arrayValue ?? []).compactMap { $0["created_by"]?.stringValue }
        #expect(steps.count == 2 && steps[0].contains("shared libraries") && steps[1].contains(Self.binary),
                "history: \(steps)")
    }

    @Test("it runs /usr/local/bin/capstan run as 65532:65532, as the Dockerfile and the manifests expect")
    func configuration() async throws {
        let image = try await image()
        let config = try #require(image.config["config"])
        #expect(config["Entrypoint"]?.stringList == [Self.binary])
        #expect(config["Cmd"]?.stringList == ["run"])
        #expect(config["User"]?.stringValue == Self.user)
        #expect(Set(config["ExposedPorts"]?.objectValue?.keys.map { $0 } ?? []) == ["8080/tcp", "8081/tcp"])
        #expect(image.config["os"]?.stringValue == "linux" && image.config["architecture"]?.stringValue == "amd64")
        let appVersion = try ManifestDocuments(file: RepositoryLayout.path("charts/capstan/Chart.yaml")).objects.first?["appVersion"]
        let labels = config["Labels"]?.objectValue ?? [:]
        #expect(labels["org.opencontainers.image.version"] == appVersion)
        #expect(labels["org.opencontainers.image.source"]?.stringValue?.hasPrefix("https://") == true)
        #expect(labels["org.opencontainers.image.revision"]?.stringValue?.isEmpty == false)

        // What a runtime makes of it: umoci's runtime configuration.
        let process = try #require(image.runtimeConfig["process"])
        #expect(process["args"]?.stringList == [Self.binary, "run"])
        #expect(process.value(at: "user", "uid")?.intValue == 65532 && process.value(at: "user", "gid")?.intValue == 65532)

        // The Dockerfile builds the same image for those with Docker.
        let dockerfile = try String(contentsOfFile: RepositoryLayout.path("Dockerfile"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        for line in ["USER \(Self.user)", "EXPOSE 8080 8081", "ENTRYPOINT [\"\(Self.binary)\"]", "CMD [\"run\"]"] {
            #expect(dockerfile.contains(line), "the Dockerfile has `\(line)`")
        }

        // The manifests pass arguments after the entrypoint, starting with the subcommand, and
        // run the pod as the image's user.
        let deployment = try #require(
            try ManifestDocuments(file: RepositoryLayout.path("config/manager/manager.yaml")).first(kind: "Deployment"))
        let pod = try #require(deployment.value(at: "spec", "template", "spec"))
        #expect(pod["containers"]?[0]?["args"]?.stringList.first == "run")
        #expect(pod["containers"]?[0]?["command"] == nil)
        #expect(pod.value(at: "securityContext", "runAsUser")?.intValue == 65532)
        #expect(pod.value(at: "securityContext", "runAsGroup")?.intValue == 65532)
    }

    @Test("the root filesystem holds the binary, its shared libraries, CA certificates and the user files, nothing else")
    func contents() async throws {
        let image = try await image()
        let paths = image.paths
        let expected: Set<String> = [
            "/etc", "/etc/group", "/etc/nsswitch.conf", "/etc/passwd",
            "/etc/ssl", "/etc/ssl/certs", "/etc/ssl/certs/ca-certificates.crt",
            "/lib", "/lib/x86_64-linux-gnu", "/lib64", "/tmp",
            "/usr", "/usr/local", "/usr/local/bin", Self.binary,
        ]
        let libraries = paths.filter { !expected.contains($0) }
        #expect(Set(paths).isSuperset(of: expected), "missing: \(expected.subtracting(paths).sorted())")
        let unexpected = libraries.filter {
            !($0.hasPrefix("/lib/x86_64-linux-gnu/") || $0.hasPrefix("/lib64/")) || !$0.contains(".so")
        }
        #expect(unexpected.isEmpty, "files that are neither the binary, a library nor the user files: \(unexpected)")
        #expect(libraries.contains("/lib64/ld-linux-x86-64.so.2") && libraries.contains("/lib/x86_64-linux-gnu/libc.so.6"),
                "libraries: \(libraries)")
        #expect(!libraries.contains { $0.contains("swift") || $0.contains("Foundation") },
                "the Swift runtime is linked into the binary, not shipped beside it: \(libraries)")

        #expect(try image.file("/etc/passwd").split(separator: "\n").contains("nonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin"))
        #expect(try image.file("/etc/group").split(separator: "\n").contains("nonroot:x:65532:"))
        let certificates = try image.file("/etc/ssl/certs/ca-certificates.crt").components(separatedBy: "-----BEGIN CERTIFICATE-----").count - 1
        #expect(certificates >= 100, "the CA bundle holds \(certificates) certificates")

        func mode(_ path: String) async -> (permissions: mode_t, owner: uid_t) {
            var info = stat()
            guard stat(image.rootfs.path + path, &info) == 0 else { return (0, 0) }
            return (info.st_mode & 0o7777, info.st_uid)
        }
        await #expect(mode("/tmp").permissions == 0o1777)
        await #expect(mode(Self.binary).permissions == 0o755)
        if geteuid() == 0 {
            await #expect(mode(Self.binary).owner == 0, "the binary belongs to root, so the image's user cannot replace it")
        }
    }

    @Test("capstan --help runs from the image's root filesystem as its user")
    func help() async throws {
        let image = try await image()
        let (executable, arguments) = try image.capstanCommand(["--help"])
        let output = try await runProcess(executable, arguments)
        #expect(output.status == 0, "\(output.report)")
        for subcommand in ["run", "sim", "dev", "validate", "crd"] {
            #expect(output.stdout.contains("  \(subcommand) "), "`--help` lists `\(subcommand)`: \(output.report)")
        }
    }

    /// The image holds no /usr/share/zoneinfo: CronWorkflow time zones come from the ICU data
    /// linked into the binary with Foundation, which this checks from the image's own root.
    @Test("capstan validate finds IANA time zones in the image, which has no zoneinfo files")
    func timeZonesWithoutZoneinfo() async throws {
        let image = try await image()
        #expect(!FileManager.default.fileExists(atPath: image.rootfs.path + "/usr/share/zoneinfo"))
        let file = "/tmp/cron-zones.yaml"
        var documents: [String] = []
        for (name, zone) in [("new-york", "America/New_York"), ("kolkata", "Asia/Kolkata"), ("mars", "Mars/Olympus")] {
            documents.append("""
                apiVersion: capstan.dev/v1alpha1
                kind: CronWorkflow
                metadata: {name: \(name)}
                spec: {schedule: "30 2 * * *", timezone: \(zone), workflowSpec: {defaults: {image: busybox}, nodes: [{name: a}]}}
                """)
        }
        try documents.joined(separator: "\n---\n").write(toFile: image.rootfs.path + file, atomically: true, encoding: .utf8)
        try image.giveToImageUser(file)
        let (executable, arguments) = try image.capstanCommand(["validate", file])
        let output = try await runProcess(executable, arguments)
        let errors = output.stdout.split(separator: "\n").filter { $0.contains("error:") }
        #expect(errors.count == 1 && errors[0].contains("[2].spec.timezone: unknown time zone \"Mars/Olympus\""), "\(output.report)")
    }

    @Test("the image's controller runs a map workflow on capstan sim, with leader election, events and a file store")
    func controllerRunsAWorkflow() async throws {
        let image = try await image()
        let sim = try await SimProcess.start(["--nodes", "1"])
        let applied = try await sim.applyCRDs()
        try #require(applied.exitCode == 0, "\(applied)")

        // The kubeconfig and the store live in the image's /tmp, where the Deployment mounts a
        // writable emptyDir; the rest of the root filesystem is the image's.
        let fileManager = FileManager.default
        let kubeconfig = "/tmp/kubeconfig"
        try? fileManager.removeItem(atPath: image.rootfs.path + kubeconfig)
        try fileManager.copyItem(atPath: sim.kubeconfigPath, toPath: image.rootfs.path + kubeconfig)
        try image.giveToImageUser(kubeconfig)
        let store = image.rootfs.appendingPathComponent("tmp/store")
        try? fileManager.removeItem(at: store)
        try fileManager.createDirectory(at: store, withIntermediateDirectories: true)
        try image.giveToImageUser("/tmp/store")

        let controller = try RunningController.start(
            kubeconfig: kubeconfig, storeDirectory: store, storeURL: "file:///tmp/store",
            extraArguments: ["--leader-elect"], binary: try image.capstanScript())
        try await sim.submit("from-image", namespace: "default", spec: """
            defaults: {image: busybox}
            nodes:
              - {name: doubled, map: {over: [1, 2, 3]}, outputs: [value], podMetadata: {annotations: {sim.capstan.dev/outputs: '{"value": {{ item }}{{ item }}}'}}}
              - {name: total, inputs: {values: "{{ nodes.doubled.outputs.value }}"}}
            """)
        let status = try await sim.waitForWorkflow("from-image", namespace: "default")
        #expect(status.phase == .succeeded, "controller log:\n\(controller.log.suffix(4000))")

        // The map's gathered outputs, written by the image's user to the image's /tmp.
        let uid = try #require(try await sim.object("workflow", "from-image", namespace: "default")["metadata"]?["uid"]?.stringValue)
        let outputs = store.appendingPathComponent("default/from-image/\(uid)/doubled/outputs.json")
        #expect(try JSONValue.parse(String(contentsOf: outputs, encoding: .utf8)) == ["value": [11, 22, 33]])
        let lease = try await sim.object("lease", "capstan-controller", namespace: "default")
        #expect(lease.value(at: "spec", "holderIdentity")?.stringValue?.isEmpty == false)
        // Event timestamps are formatted in UTC, which needs no time zone files in the image.
        let events = try await sim.list("events", namespace: "default")
            .filter { $0.value(at: "involvedObject", "name")?.stringValue == "from-image" }
        #expect(!events.isEmpty)
        for event in events {
            let timestamp = event["firstTimestamp"]?.stringValue ?? ""
            #expect(timestamp.count == 20 && timestamp.hasSuffix("Z"), "firstTimestamp \(timestamp)")
        }

        #expect(try await controller.stop() == 0, "controller log:\n\(controller.log.suffix(4000))")
        try await sim.stop()
    }
}
