/// A command-line flag with a value that cannot be used, reported as
/// `--metrics-addr "abc": expected HOST:PORT or :PORT`.
public struct FlagValueError: Error, Sendable, Hashable, CustomStringConvertible {
    public let flag: String
    public let value: String
    /// What the flag accepts, phrased to follow "expected".
    public let expected: String

    public init(flag: String, value: String, expected: String) {
        self.flag = flag
        self.value = value
        self.expected = expected
    }

    public var description: String {
        "\(flag) \"\(value)\": expected \(expected)"
    }
}
