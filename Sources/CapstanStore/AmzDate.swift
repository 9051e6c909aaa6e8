import CapstanSupport

/// A moment in the two forms SigV4 needs: `20150830T123600Z` and `20150830` (UTC).
public struct AmzDate: Sendable, Hashable {
    public let timestamp: String
    public var day: String { String(timestamp.prefix(8)) }

    public init(secondsSince1970 seconds: Int64) {
        timestamp = UTCTime(secondsSince1970: seconds).iso8601Basic
    }

    /// Parses `20150830T123600Z`.
    public init?(timestamp: String) {
        let digits = timestamp.filter(\.isNumber)
        guard timestamp.count == 16, digits.count == 14, timestamp.dropFirst(8).first == "T",
              timestamp.last == "Z" else { return nil }
        self.timestamp = timestamp
    }
}
