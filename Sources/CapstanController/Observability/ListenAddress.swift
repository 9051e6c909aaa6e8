/// Where a server listens, parsed from a flag such as `--metrics-addr`: `HOST:PORT`, `:PORT`
/// (every IPv4 interface, as Go's `:8080`), or `[IPV6]:PORT`. Port 0 asks the system for a
/// free port; the server reports the one it got.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IP address or host name; empty means every interface.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public static let defaultMetrics = ListenAddress(host: "", port: 8080)
    public static let defaultHealth = ListenAddress(host: "", port: 8081)

    /// Parses a flag's value; `flag` names the flag in the error.
    public init(parsing text: String, flag: String) throws {
        let failure = FlagValueError(flag: flag, value: text, expected: "HOST:PORT or :PORT")
        guard let colon = text.lastIndex(of: ":") else { throw failure }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        if host.hasPrefix("[") || host.hasSuffix("]") {
            guard host.hasPrefix("["), host.hasSuffix("]"), host.count > 2 else { throw failure }
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            // An IPv6 address without brackets: its last group would read as the port.
            throw FlagValueError(flag: flag, value: text, expected: "HOST:PORT or :PORT, with an IPv6 host in brackets ([::1]:8080)")
        }
        guard !host.contains(where: { $0 == " " || $0 == "/" }) else { throw failure }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber) else { throw failure }
        guard let port = Int(portText), port <= 65535 else {
            throw FlagValueError(flag: flag, value: text, expected: "a port from 0 to 65535")
        }
        self.init(host: host, port: port)
    }

    /// The host to bind: every IPv4 interface when none was given.
    var bindHost: String { host.isEmpty ? "0.0.0.0" : host }

    /// The form the flag takes: `:8080`, `127.0.0.1:0`, `[::1]:8080`.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
