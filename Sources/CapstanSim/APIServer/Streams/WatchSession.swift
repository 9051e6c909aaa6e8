import NIOCore

/// One open watch's life on the server's event loop, whichever transport reads it: registered
/// with the store, ended at its `timeoutSeconds`, sent bookmarks when asked, and with
/// `--fault-rate` cut at a random time. `stop()` undoes all of it; the output's end calls it,
/// and the output keeps the session until then.
final class WatchSession {
    private let stream: WatchStream
    private let output: any StreamOutput
    private let services: ServerServices
    private let eventLoop: any EventLoop
    private var scheduled: [Scheduled<Void>] = []
    private var bookmarks: RepeatedTask?
    private var stopped = false

    /// `output` has already sent the answer's status and headers.
    init(plan: WatchPlan, output: any StreamOutput, services: ServerServices, eventLoop: any EventLoop) {
        stream = WatchStream(plan: plan, eventLoop: eventLoop, output: output,
                             maximumBacklogBytes: services.configuration.maximumWatchBacklogBytes)
        self.output = output
        self.services = services
        self.eventLoop = eventLoop
    }

    func start() {
        // Held until the answer ends, whoever holds the session: `stop()` lets go.
        output.onEnd = { self.stop() }
        let plan = stream.plan
        let resource = plan.scope.type.groupResource
        do {
            try services.store.watch(resource, namespace: plan.filter.namespace, from: plan.resourceVersion, sink: stream)
        } catch {
            stream.deliverError(error)
            return
        }
        if plan.initialEventsEndBookmark {
            services.store.bookmark(resource, sink: stream, initialEventsEnd: true)
        }
        let stream = self.stream
        scheduled.append(eventLoop.scheduleTask(in: .seconds(Int64(plan.timeoutSeconds))) { stream.finish() })
        if plan.bookmarks {
            let interval = services.configuration.bookmarkInterval
            let store = services.store
            bookmarks = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
                store.bookmark(resource, sink: stream, initialEventsEnd: false)
            }
        }
        if let cutAfter = services.faults.watchCutDelay() {
            let output = NIOLoopBound(output, eventLoop: eventLoop)
            scheduled.append(eventLoop.scheduleTask(in: cutAfter) { output.value.cut() })
        }
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        output.onEnd = nil
        stream.finish()
        services.store.stopWatching(stream.plan.scope.type.groupResource, sink: stream)
        for task in scheduled { task.cancel() }
        scheduled.removeAll()
        bookmarks?.cancel()
        bookmarks = nil
    }
}
