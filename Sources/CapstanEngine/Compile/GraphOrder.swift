import CapstanAPI

/// Orders nodes so that dependencies come first, and reports every cycle by its members.
enum GraphOrder {
    static func topological(_ nodes: [CompiledNode], problems: ProblemList) -> [Int] {
        var position: [String: Int] = [:]
        for node in nodes where position[node.name] == nil { position[node.name] = node.position }
        var remaining = nodes.map { node in Set(node.dependencies.compactMap { position[$0] }) }
        var dependents = [[Int]](repeating: [], count: nodes.count)
        for (i, deps) in remaining.enumerated() { for d in deps { dependents[d].append(i) } }
        var ready = (0..<nodes.count).filter { remaining[$0].isEmpty }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        var cursor = 0
        while cursor < ready.count {
            let current = ready[cursor]
            cursor += 1
            order.append(current)
            for dependent in dependents[current] {
                remaining[dependent].remove(current)
                if remaining[dependent].isEmpty { ready.append(dependent) }
            }
        }
        if order.count < nodes.count {
            reportCycles(nodes, unresolved: Set(0..<nodes.count).subtracting(order), position: position, problems: problems)
        }
        return order
    }

    /// Finds one cycle per strongly connected group among the unresolved nodes and names its members in order.
    private static func reportCycles(_ nodes: [CompiledNode], unresolved: Set<Int>, position: [String: Int], problems: ProblemList) {
        var reported: Set<Int> = []
        for start in unresolved.sorted() where !reported.contains(start) {
            var path: [Int] = []
            var onPath: [Int: Int] = [:]
            var current = start
            while onPath[current] == nil {
                onPath[current] = path.count
                path.append(current)
                guard let next = nodes[current].dependencies.compactMap({ position[$0] }).sorted().first(where: { unresolved.contains($0) })
                else { break }
                current = next
            }
            guard let cycleStart = onPath[current] else { continue }
            let cycle = Array(path[cycleStart...])
            if cycle.contains(where: reported.contains) { continue }
            reported.formUnion(cycle)
            let first = cycle.min()!
            let start = cycle.firstIndex(of: first)!
            let rotated = Array(cycle[start...] + cycle[..<start])
            let names = (rotated + [first]).map { "\"\(nodes[$0].name)\"" }
            problems.add(
                nodes[first].path,
                "dependency cycle: \(names.joined(separator: " → ")) (each needs the next to finish first, through dependsOn and references)")
        }
    }
}
