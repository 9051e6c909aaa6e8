import Testing
import CapstanAPI

/// The patch the controller computes is the one the simulated API server applies, so a diff
/// applied to the old value must give the new value back.
@Suite struct MergePatchTests {
    static let old: JSONValue = ["phase": "Running", "nodes": ["a": ["phase": "Running"], "b": ["phase": "Pending"]],
                                 "message": "working"]

    @Test func diffSendsOnlyWhatChanged() {
        let new: JSONValue = ["phase": "Running", "nodes": ["a": ["phase": "Succeeded"], "b": ["phase": "Pending"]]]
        #expect(MergePatch.diff(from: Self.old, to: new) == ["nodes": ["a": ["phase": "Succeeded"]], "message": nil])
        #expect(MergePatch.diff(from: Self.old, to: Self.old) == nil)
        #expect(MergePatch.diff(from: nil, to: new) == new)
    }

    @Test(arguments: [
        ["phase": "Succeeded"] as JSONValue,
        ["phase": "Running", "nodes": ["a": ["phase": "Failed", "attempt": 2]]],
        ["list": [1, 2, 3], "nodes": "replaced"],
        [:],
    ])
    func applyingTheDiffGivesTheNewValue(new: JSONValue) {
        let patch = MergePatch.diff(from: Self.old, to: new) ?? [:]
        #expect(MergePatch.apply(patch, to: Self.old) == new)
    }
}
