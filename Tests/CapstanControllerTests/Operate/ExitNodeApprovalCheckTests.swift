import CapstanAPI
@testable import capstan
import Testing

/// `capstan approve` and `capstan reject` decide approval nodes among the exit nodes too.
struct ExitNodeApprovalCheckTests {
    @Test func anApprovalExitNodeMayBeDecided() {
        let workflow: JSONValue = [
            "metadata": ["name": "release"],
            "spec": ["nodes": [["name": "build"]], "onExit": [["name": "confirm", "approval": [:]], ["name": "notify"]]],
            "status": ["phase": "Running", "nodes": ["build": ["phase": "Succeeded"], "confirm": ["phase": "Running"]]],
        ]
        #expect(ApprovalCheck.problem(in: workflow, node: "confirm") == nil)
        #expect(ApprovalCheck.problem(in: workflow, node: "notify")
                == "node \"notify\" of workflow \"release\" is not an approval node (its approval nodes: confirm)")
    }
}
