/// A layered drawing of a DAG, left to right: each node's column is the length of the longest
/// path reaching it, so every edge points rightwards; rows within a column are ordered by the
/// mean row of each node's neighbours (the barycentre heuristic), swept back and forth a few
/// times, which removes most crossings in the shapes workflows take without the cost of an
/// exact method. Pure: the same input always gives the same drawing, so it is unit-tested.
struct DAGLayout: Sendable, Equatable {
    struct Position: Sendable, Equatable {
        var column: Int
        var row: Int
        /// Top-left corner in the drawing's units.
        var x: Double
        var y: Double
    }

    struct Metrics: Sendable, Equatable {
        var nodeWidth = 200.0
        var nodeHeight = 54.0
        var columnGap = 56.0
        var rowGap = 18.0
        var margin = 12.0
    }

    var positions: [String: Position]
    /// Edges between laid-out nodes, from dependency to dependant.
    var edges: [(from: String, to: String)]
    var columns: Int
    var width: Double
    var height: Double

    static func == (left: DAGLayout, right: DAGLayout) -> Bool {
        left.positions == right.positions && left.edges.map { [$0.from, $0.to] } == right.edges.map { [$0.from, $0.to] }
            && left.width == right.width && left.height == right.height
    }

    /// Lays out `nodes` in their given order (ties keep it); dependencies on names that are
    /// not among them are left out, and a cycle (which validation forbids) is broken where found.
    init(nodes: [(name: String, dependsOn: [String])], metrics: Metrics = Metrics(), sweeps: Int = 4) {
        let names = nodes.map(\.name)
        let known = Set(names)
        var parents: [String: [String]] = [:]
        var children: [String: [String]] = [:]
        var edges: [(from: String, to: String)] = []
        for node in nodes {
            let deps = Self.unique(node.dependsOn.filter { known.contains($0) && $0 != node.name })
            parents[node.name] = deps
            for dep in deps {
                children[dep, default: []].append(node.name)
                edges.append((dep, node.name))
            }
        }
        let column = Self.columns(names: names, parents: parents)
        let columnCount = (column.values.max() ?? -1) + 1
        var layers = [[String]](repeating: [], count: columnCount)
        for name in names { layers[column[name]!].append(name) }
        layers = Self.ordered(layers, parents: parents, children: children, sweeps: sweeps)

        let tallest = layers.map(\.count).max() ?? 0
        let pitch = metrics.nodeHeight + metrics.rowGap
        var positions: [String: Position] = [:]
        for (columnIndex, layer) in layers.enumerated() {
            // Shorter columns are centred against the tallest, so chains sit on its middle.
            let offset = Double(tallest - layer.count) * pitch / 2
            for (row, name) in layer.enumerated() {
                positions[name] = Position(column: columnIndex, row: row,
                                           x: metrics.margin + Double(columnIndex) * (metrics.nodeWidth + metrics.columnGap),
                                           y: metrics.margin + offset + Double(row) * pitch)
            }
        }
        self.positions = positions
        self.edges = edges.filter { column[$0.from]! < column[$0.to]! }
        self.columns = columnCount
        width = columnCount == 0 ? 0 : 2 * metrics.margin + Double(columnCount) * metrics.nodeWidth + Double(columnCount - 1) * metrics.columnGap
        height = tallest == 0 ? 0 : 2 * metrics.margin + Double(tallest) * metrics.nodeHeight + Double(tallest - 1) * metrics.rowGap
    }

    /// The longest-path column of each node, iteratively (no recursion, so a deep chain of
    /// thousands of nodes cannot overflow the stack).
    private static func columns(names: [String], parents: [String: [String]]) -> [String: Int] {
        var column: [String: Int] = [:]
        var onPath = Set<String>()
        for root in names where column[root] == nil {
            var stack: [(name: String, expanded: Bool)] = [(root, false)]
            while let (name, expanded) = stack.popLast() {
                if column[name] != nil { continue }
                if expanded {
                    onPath.remove(name)
                    let deps = (parents[name] ?? []).compactMap { column[$0] }
                    column[name] = deps.map { $0 + 1 }.max() ?? 0
                    continue
                }
                onPath.insert(name)
                stack.append((name, true))
                // A parent already on the path closes a cycle: it is skipped, breaking the cycle there.
                for dep in parents[name] ?? [] where column[dep] == nil && !onPath.contains(dep) {
                    stack.append((dep, false))
                }
            }
        }
        return column
    }

    private static func ordered(_ layers: [[String]], parents: [String: [String]], children: [String: [String]],
                                sweeps: Int) -> [[String]] {
        var layers = layers
        var row: [String: Int] = [:]
        func number(_ layer: [String]) { for (index, name) in layer.enumerated() { row[name] = index } }
        layers.forEach(number)
        guard layers.count > 1 else { return layers }
        for sweep in 0..<sweeps {
            let downward = sweep % 2 == 0
            let order = downward ? Array(1..<layers.count) : Array((0..<(layers.count - 1)).reversed())
            for index in order {
                let neighbours = downward ? parents : children
                let keyed = layers[index].enumerated().map { position, name -> (Double, Int, String) in
                    let rows = (neighbours[name] ?? []).compactMap { row[$0] }
                    let centre = rows.isEmpty ? Double(position) : Double(rows.reduce(0, +)) / Double(rows.count)
                    return (centre, position, name)
                }
                layers[index] = keyed.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
                number(layers[index])
            }
        }
        return layers
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
