import CapstanAPI

/// Runs a `sleep` node: no pod; it succeeds once its duration has passed since it started.
/// The step asks to be looked at again exactly then, so nothing polls meanwhile.
struct SleepHandler {
    let pause: PauseNode
    let duration: SpecDuration

    func step(_ status: inout NodeStatus, output: inout StepOutput) {
        if status.phase == .pending {
            let key = SHA256.hex(JSONValue.object(["sleep": .number(duration.seconds)]).serialized())
            let started = pause.start(&status, key: key, waiting: { "sleeping \(duration), until \($0 + duration.seconds)" }, output: &output)
            if started { return }
        }
        let until = pause.startedAt(status) + duration.seconds
        if pause.now >= until {
            pause.succeed(&status, message: "slept \(duration)", output: &output)
        } else {
            output.wake(at: until)
        }
    }
}
