import CapstanAPI

/// The simulated nodes: how many, and what each one offers. Every node is the same.
public struct NodePoolConfiguration: Sendable, Hashable {
    public var count: Int
    /// Quantities as kube writes them (`32`, `500m`; `128Gi`).
    public var cpu: String
    public var memory: String
    public var gpus: Int
    /// Pods each node accepts (kube's `pods` capacity; a real kubelet's default is 110).
    public var maximumPods: Int
    public var taints: [String]
    /// Nodes are named `PREFIX-0`, `PREFIX-1`, …
    public var namePrefix: String

    public init(count: Int = 4, cpu: String = "32", memory: String = "128Gi", gpus: Int = 0, maximumPods: Int = 10_000,
                taints: [String] = [], namePrefix: String = "sim-node") {
        self.count = count
        self.cpu = cpu
        self.memory = memory
        self.gpus = gpus
        self.maximumPods = maximumPods
        self.taints = taints
        self.namePrefix = namePrefix
    }

    public var nodeNames: [String] { (0..<count).map { "\(namePrefix)-\($0)" } }

    /// Checks every value, naming the flag at fault.
    public func validate() throws(KubeletConfigurationError) {
        guard count >= 0 else { throw KubeletConfigurationError("--nodes must be 0 or more, got \(count)") }
        guard gpus >= 0 else { throw KubeletConfigurationError("--node-gpus must be 0 or more, got \(gpus)") }
        guard maximumPods > 0 else { throw KubeletConfigurationError("--node-pods must be positive, got \(maximumPods)") }
        for (flag, text) in [("--node-cpu", cpu), ("--node-memory", memory)] {
            do {
                let quantity = try Quantity(text)
                guard quantity.value > 0 else { throw KubeletConfigurationError("\(flag) must be positive, got \(text)") }
            } catch let error as QuantityError {
                throw KubeletConfigurationError("\(flag) \(text): \(error.reason), e.g. 32 or 500m for CPU, 128Gi for memory")
            } catch let error as KubeletConfigurationError {
                throw error
            } catch {
                throw KubeletConfigurationError("\(flag) \(text): \(error)")
            }
        }
        _ = try parsedTaints()
    }

    func parsedTaints() throws(KubeletConfigurationError) -> [Taint] {
        var parsed: [Taint] = []
        for text in taints { parsed.append(try Taint(parsing: text)) }
        return parsed
    }
}

/// A simulated-cluster setting that cannot be used, worded for the command line.
public struct KubeletConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
