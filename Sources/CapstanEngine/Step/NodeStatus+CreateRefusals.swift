import CapstanAPI

/// A node whose pod creates are refused for a passing reason (quota, a busy API server)
/// waits with backoff before creating any more of its pods: quota is the namespace's, so
/// when one create is refused the next would be too.
extension NodeStatus {
    /// Whether the node may create pods now; when not, the step is woken once it may.
    func mayCreatePods(now: Timestamp, output: inout StepOutput) -> Bool {
        guard let until = createRetryAt, until > now else { return true }
        output.wake(at: until)
        return false
    }

    mutating func recordCreateRefusal(_ refusal: CreateRefusal, node: String, now: Timestamp, output: inout StepOutput) {
        createRefusals += 1
        // The status keeps whole seconds, so round up: the next try never comes early.
        let until = Timestamp(secondsSince1970: (now + CreateRefusal.delay(afterRefusals: createRefusals)).secondsSince1970.rounded(.up))
        createRetryAt = until
        message = refusal.waitingMessage
        output.wake(at: until)
        output.event(.warning, refusal.quota ? "QuotaExceeded" : "PodCreateFailed", "node \(node) is \(refusal.waitingMessage)", node: node)
    }

    /// A create went through: the wait, if there was one, is over.
    mutating func clearCreateRefusals() {
        guard createRefusals > 0 || createRetryAt != nil else { return }
        createRefusals = 0
        createRetryAt = nil
        message = nil
    }
}
