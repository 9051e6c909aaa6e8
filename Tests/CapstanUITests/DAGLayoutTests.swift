import Testing
import TestSupport
@testable import CapstanUI

@Suite struct DAGLayoutTests {
    @Test func columnsAreTheLongestPathSoEveryEdgePointsRight() {
        let layout = DAGLayout(nodes: [("a", []), ("b", ["a"]), ("c", ["a"]), ("d", ["b", "c"]), ("e", ["a", "d"])])
        #expect(layout.columns == 4)
        #expect(["a", "b", "c", "d", "e"].map { layout.positions[$0]!.column } == [0, 1, 1, 2, 3])
        for edge in layout.edges {
            #expect(layout.positions[edge.from]!.x < layout.positions[edge.to]!.x, "\(edge)")
        }
        #expect(layout.edges.count == 6)
    }

    @Test func nodesInAColumnDoNotOverlapAndFitTheDrawing() {
        let metrics = DAGLayout.Metrics()
        let layout = DAGLayout(nodes: [("root", [])] + (0..<7).map { ("leaf\($0)", ["root"]) }, metrics: metrics)
        let leaves = (0..<7).map { layout.positions["leaf\($0)"]! }
        #expect(Set(leaves.map(\.row)).count == 7)
        let ys = leaves.map(\.y).sorted()
        for (upper, lower) in zip(ys, ys.dropFirst()) { #expect(lower - upper >= metrics.nodeHeight + metrics.rowGap) }
        for position in layout.positions.values {
            #expect(position.x + metrics.nodeWidth <= layout.width && position.y + metrics.nodeHeight <= layout.height)
        }
        // The root sits level with the middle of its seven children.
        #expect(layout.positions["root"]!.y == leaves[3].y)
    }

    @Test func orderingByNeighboursUndoesACrossing() {
        // Listed so that a naive drawing crosses a1→b1 and a2→b2; the barycentre sweep uncrosses them.
        let layout = DAGLayout(nodes: [("a1", []), ("a2", []), ("b2", ["a2"]), ("b1", ["a1"])])
        #expect(layout.positions["b1"]!.row < layout.positions["b2"]!.row)
    }

    @Test func unknownDependenciesAndCyclesNeverLoopOrVanish() {
        let layout = DAGLayout(nodes: [("a", ["ghost", "c"]), ("b", ["a"]), ("c", ["b"]), ("self", ["self"])])
        #expect(layout.positions.count == 4)
        #expect(layout.positions["self"]!.column == 0)
        for edge in layout.edges { #expect(layout.positions[edge.from]!.column < layout.positions[edge.to]!.column) }
    }

    @Test func aLongChainLaysOutWithoutRecursion() async throws {
        let layout = try await Blocking.compute {
            DAGLayout(nodes: (0..<5000).map { ("n\($0)", $0 == 0 ? [] : ["n\($0 - 1)"]) })
        }
        #expect(layout.columns == 5000)
        #expect(layout.positions["n4999"]!.column == 4999)
    }

    @Test func theSameInputGivesTheSameDrawing() {
        let nodes = [("a", [String]()), ("b", ["a"]), ("c", ["a"]), ("d", ["c", "b"])]
        #expect(DAGLayout(nodes: nodes) == DAGLayout(nodes: nodes))
        #expect(DAGLayout(nodes: []).width == 0)
    }
}
