import CapstanAPI

/// The sizes past which a pod is refused (SPEC §10), so that the engine never asks for one.
enum PodLimits {
    /// Resolved inputs whose JSON is larger go to the store, and the pod gets
    /// `CAPSTAN_INPUTS_URI` instead of `CAPSTAN_INPUTS` (SPEC §3).
    static let inputsByValue = 32 * 1024
    /// The kernel refuses to start a process with any argument or environment string longer
    /// than this (`MAX_ARG_STRLEN`, 32 pages): the container would fail with E2BIG.
    static let processString = 128 * 1024
    /// etcd refuses objects over 1.5 MiB; kube-apiserver refuses request bodies over 3 MiB.
    static let storedObject = 1024 * 1024 + 512 * 1024

    /// Why the API server or the kernel would refuse this pod, naming the field and its size;
    /// nil when it fits.
    static func problem(with manifest: JSONValue) -> String? {
        for (c, container) in (manifest["spec"]?["containers"]?.arrayValue ?? []).enumerated() {
            let base = "spec.containers[\(c)]"
            for field in ["command", "args"] {
                for (i, value) in (container[field]?.arrayValue ?? []).enumerated() {
                    if let text = value.stringValue, text.utf8.count > processString {
                        return tooLong("\(base).\(field)[\(i)]", size: text.utf8.count)
                    }
                }
            }
            for variable in container["env"]?.arrayValue ?? [] {
                guard let name = variable["name"]?.stringValue, let value = variable["value"]?.stringValue else { continue }
                // The kernel counts NAME=VALUE as one string.
                let size = name.utf8.count + 1 + value.utf8.count
                if size > processString { return tooLong("\(base).env[\(name)]", size: size) }
            }
        }
        if manifest.serializes(moreThan: storedObject) {
            let size = manifest.serialized().count
            return "the pod would be \(size) bytes, more than the \(storedObject) bytes (1.5 MiB) the API server stores; "
                + "pass large values through the store (inputs from upstream outputs go by reference)"
        }
        return nil
    }

    private static func tooLong(_ field: String, size: Int) -> String {
        "\(field) is \(size) bytes, more than the \(processString) bytes (128 KiB) a process accepts for one argument or "
            + "environment variable; pass large values as node inputs, which go by reference through the store"
    }
}
