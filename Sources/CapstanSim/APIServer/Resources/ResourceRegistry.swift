import CapstanAPI
import Synchronization

/// The resources the server currently serves: the built-ins plus whatever established CRDs add.
/// Read on every request, written only when a CRD changes.
final class ResourceRegistry: Sendable {
    private struct State {
        var byGroupVersion: [GroupVersion: [String: ServedResource]] = [:]
        /// Group-versions in the order discovery lists them; the first version of a group is preferred.
        var groupVersions: [GroupVersion] = []
        /// The CRD (by name) that contributed each custom group-version's resources.
        var customDefinitions: [String: CustomResourceDefinition] = [:]
    }

    private let state: Mutex<State>

    init() {
        var initial = State()
        for type in BuiltinResources.all { Self.add(type, to: &initial) }
        state = Mutex(initial)
    }

    func lookup(_ groupVersion: GroupVersion, plural: String) -> ServedResource? {
        state.withLock { $0.byGroupVersion[groupVersion]?[plural] }
    }

    /// Any served version of a resource; objects are stored the same way whichever version wrote them.
    func type(for resource: GroupResource) -> ServedResource? {
        state.withLock { state in
            for gv in state.groupVersions where gv.group == resource.group {
                if let type = state.byGroupVersion[gv]?[resource.resource] { return type }
            }
            return nil
        }
    }

    func isServed(_ groupVersion: GroupVersion) -> Bool {
        state.withLock { $0.byGroupVersion[groupVersion] != nil }
    }

    func resources(in groupVersion: GroupVersion) -> [ServedResource] {
        state.withLock { ($0.byGroupVersion[groupVersion] ?? [:]).values.sorted { $0.plural < $1.plural } }
    }

    /// Served group-versions, grouped by group, preferred version first.
    func groups() -> [(group: String, versions: [String])] {
        state.withLock { state in
            var order: [String] = []
            var versions: [String: [String]] = [:]
            for gv in state.groupVersions {
                if versions[gv.group] == nil { order.append(gv.group) }
                versions[gv.group, default: []].append(gv.version)
            }
            return order.map { ($0, versions[$0]!) }
        }
    }

    /// The `openAPIV3Schema` a CRD gives this version of a custom resource.
    func schema(for type: ServedResource) -> JSONValue? {
        state.withLock { state in
            state.customDefinitions.values.first { $0.group == type.group && $0.plural == type.plural }?
                .versions.first { $0.name == type.version }?.schema
        }
    }

    func customDefinitions() -> [CustomResourceDefinition] {
        state.withLock { Array($0.customDefinitions.values) }
    }

    /// Serves (or re-serves) the resources a CRD defines.
    func install(_ definition: CustomResourceDefinition) {
        state.withLock { state in
            Self.remove(definitionNamed: definition.name, from: &state)
            state.customDefinitions[definition.name] = definition
            for type in definition.servedResources { Self.add(type, to: &state) }
        }
    }

    func uninstall(definitionNamed name: String) {
        state.withLock { state in Self.remove(definitionNamed: name, from: &state) }
    }

    private static func add(_ type: ServedResource, to state: inout State) {
        let gv = type.groupVersion
        if state.byGroupVersion[gv] == nil {
            state.byGroupVersion[gv] = [:]
            state.groupVersions.append(gv)
        }
        state.byGroupVersion[gv]![type.plural] = type
    }

    private static func remove(definitionNamed name: String, from state: inout State) {
        guard let old = state.customDefinitions.removeValue(forKey: name) else { return }
        for type in old.servedResources {
            let gv = type.groupVersion
            state.byGroupVersion[gv]?[type.plural] = nil
            if state.byGroupVersion[gv]?.isEmpty == true {
                state.byGroupVersion[gv] = nil
                state.groupVersions.removeAll { $0 == gv }
            }
        }
    }
}
