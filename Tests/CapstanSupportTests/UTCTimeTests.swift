import CapstanSupport
import Testing

/// Every form Capstan writes a time in comes from `UTCTime`: Kubernetes objects (seconds),
/// logs (milliseconds), leases (microseconds) and SigV4 (`X-Amz-Date`).
@Suite struct UTCTimeTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z", "19700101T000000Z"),
        (1_440_938_160, "2015-08-30T12:36:00Z", "20150830T123600Z"),
        (951_782_400, "2000-02-29T00:00:00Z", "20000229T000000Z"),
        (4_107_542_399, "2100-02-28T23:59:59Z", "21000228T235959Z"),
        (-1, "1969-12-31T23:59:59Z", "19691231T235959Z"),
    ])
    func formatsInUTC(seconds: Int64, rfc3339: String, basic: String) {
        let time = UTCTime(secondsSince1970: seconds)
        #expect(time.rfc3339() == rfc3339)
        #expect(time.iso8601Basic == basic)
        #expect(UTCTime(rfc3339: rfc3339) == time)
    }

    @Test func fractionsAreTruncatedToTheDigitsAsked() {
        #expect(UTCTime(secondsSince1970: 0, nanoseconds: 7_000_000).rfc3339(fractionDigits: 3) == "1970-01-01T00:00:00.007Z")
        #expect(UTCTime(secondsSince1970: 1_767_323_045, nanoseconds: 678_999_999).rfc3339(fractionDigits: 3)
            == "2026-01-02T03:04:05.678Z")
        #expect(UTCTime(secondsSince1970: 1_767_323_045, nanoseconds: 123_456_789).rfc3339(fractionDigits: 6)
            == "2026-01-02T03:04:05.123456Z")
        #expect(UTCTime(timeIntervalSince1970: 1_767_323_045.5).rfc3339(fractionDigits: 3) == "2026-01-02T03:04:05.500Z")
    }

    @Test func parsesOffsetsAndFractions() {
        #expect(UTCTime(rfc3339: "2015-08-30T12:36:00.123Z") == UTCTime(secondsSince1970: 1_440_938_160, nanoseconds: 123_000_000))
        #expect(UTCTime(rfc3339: "2015-08-30T14:36:00+02:00")?.secondsSince1970 == 1_440_938_160)
        #expect(UTCTime(rfc3339: "2015-08-30T10:36:00-02:00")?.secondsSince1970 == 1_440_938_160)
        #expect(UTCTime(rfc3339: "2015-08-30 12:36:00z")?.secondsSince1970 == 1_440_938_160)
    }

    @Test(arguments: ["2015-08-30", "2015-13-30T12:36:00Z", "2015-08-30T24:00:00Z", "2015-08-30T12:36:00",
                      "2015-08-30T12:36:00Zjunk", "2015-08-30T12:36:00+0200", "2015/08/30T12:36:00Z"])
    func rejectsWhatIsNotRFC3339(text: String) {
        #expect(UTCTime(rfc3339: text) == nil)
    }
}
