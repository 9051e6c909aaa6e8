import CapstanKube

extension WorkQueue {
    /// Returns once the calling task is cancelled and the items being worked on are done:
    /// what a controller's `run` waits on after starting its workers.
    func drainWhenCancelled() async {
        await withTaskCancellationHandler {
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        } onCancel: {
            Task { await self.shutDown() }
        }
        await shutDownWithDrain()
    }
}
