import NIOCore
import NIOHTTP1

/// A streamed answer's connection, used only on the channel's event loop.
final class ChannelStreamOutput: StreamOutput {
    private let context: ChannelHandlerContext
    private var ended = false
    var onEnd: (() -> Void)?
    /// A followed log of a request without keep-alive ends its connection too.
    private let closesAfterEnd: Bool
    /// Bytes handed to the socket but not yet written; past the limit the client is cut off.
    private var unwrittenBytes = 0
    private let maximumUnwrittenBytes: Int

    init(context: ChannelHandlerContext, maximumUnwrittenBytes: Int = .max, closesAfterEnd: Bool = false) {
        self.context = context
        self.maximumUnwrittenBytes = maximumUnwrittenBytes
        self.closesAfterEnd = closesAfterEnd
    }

    func write(_ bytes: [UInt8]) {
        guard !ended else { return }
        if unwrittenBytes > maximumUnwrittenBytes { return cut() }
        let count = bytes.count
        unwrittenBytes += count
        let buffer = context.channel.allocator.buffer(bytes: bytes)
        let promise = context.eventLoop.makePromise(of: Void.self)
        promise.futureResult.assumeIsolated().whenComplete { _ in self.unwrittenBytes -= count }
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: promise)
    }

    func end() {
        guard !ended else { return }
        ended = true
        let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if closesAfterEnd {
            let context = NIOLoopBound(context, eventLoop: context.eventLoop)
            done.whenComplete { _ in context.value.close(promise: nil) }
        }
        onEnd?()
    }

    func cut() {
        guard !ended else { return }
        ended = true
        context.close(promise: nil)
        onEnd?()
    }
}
