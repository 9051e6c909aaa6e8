import NIOCore

/// A followed container log on the server's event loop: the log so far, then what the
/// container adds, checked four times a second (the kubelet streams from the file as it
/// grows), ending when the container does.
final class LogFollowSession {
    private let follow: PodLogFollow
    private let output: any StreamOutput
    private let eventLoop: any EventLoop
    private var poller: RepeatedTask?
    /// How much of the followed log has been sent.
    private var bytesSent = 0

    /// `output` has already sent the answer's status and headers.
    init(follow: PodLogFollow, output: any StreamOutput, eventLoop: any EventLoop) {
        self.follow = follow
        self.output = output
        self.eventLoop = eventLoop
    }

    func start() {
        // Held until the answer ends, whoever holds the session: `stop()` lets go.
        output.onEnd = { self.stop() }
        if !follow.initial.isEmpty { output.write(follow.initial) }
        bytesSent = follow.fullLength
        let session = NIOLoopBound(self, eventLoop: eventLoop)
        poller = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(250), delay: .milliseconds(250)) { _ in
            session.value.poll()
        }
    }

    private func poll() {
        let answer = follow.poll()
        if let log = answer?.log, log.count > bytesSent {
            output.write(Array(log[bytesSent...]))
            bytesSent = log.count
        }
        if answer == nil || answer!.ended { output.end() }
    }

    func stop() {
        output.onEnd = nil
        poller?.cancel()
        poller = nil
    }
}
