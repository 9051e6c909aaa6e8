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

/// A Workflow that runs a WorkflowTemplate (a sub-workflow's child, a cron run) is decided
/// by the template's nodes as the controller read them.
struct TemplateApprovalCheckTests {
    @Test func theTemplatesApprovalNodeMayBeDecidedOnceTheControllerReadIt() {
        var workflow: JSONValue = [
            "metadata": ["name": "parent-call-0"],
            "spec": ["templateRef": ["name": "flaky"]],
            "status": ["phase": "Pending"],
        ]
        #expect(ApprovalCheck.problem(in: workflow, node: "gate")
                == "workflow \"parent-call-0\" runs template \"flaky\", which the controller has not read yet; try again in a moment")
        workflow = [
            "metadata": ["name": "parent-call-0"],
            "spec": ["templateRef": ["name": "flaky"]],
            "status": ["phase": "Running", "templateSpec": ["nodes": [["name": "gate", "approval": [:]], ["name": "t"]]],
                       "nodes": ["gate": ["phase": "Running"]]],
        ]
        #expect(ApprovalCheck.problem(in: workflow, node: "gate") == nil)
        #expect(ApprovalCheck.problem(in: workflow, node: "t")
                == "node \"t\" of workflow \"parent-call-0\" is not an approval node (its approval nodes: gate)")
    }
}
