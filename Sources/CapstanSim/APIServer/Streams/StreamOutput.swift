/// Where a streamed answer (a watch, a followed log) goes: a connection, or a reader in this
/// process. Used only on the server's event loop.
protocol StreamOutput: AnyObject {
    /// Called once when the answer ends or is cut, from either side.
    var onEnd: (() -> Void)? { get set }
    /// Sends bytes; a reader that has fallen too far behind is cut off instead.
    func write(_ bytes: [UInt8])
    /// Ends the answer after what was written.
    func end()
    /// Drops the answer without ending it, as a failing network would.
    func cut()
}
