import Testing
import Foundation
@testable import CapstanAPI

@Suite struct QuantityTests {
    @Test(arguments: [
        ("500m", "0.5"), ("2Gi", "2147483648"), ("1e3", "1000"), ("1.5", "1.5"), ("100M", "100000000"),
        ("1Ki", "1024"), ("250u", "0.00025"), ("3", "3"), ("0.1E2", "10"),
    ])
    func parsesExactly(text: String, expected: String) throws {
        #expect(try Quantity(text).value == Decimal(string: expected)!)
    }

    @Test func comparesAcrossSuffixes() throws {
        #expect(try Quantity("1000m") == Quantity("1"))
        #expect(try Quantity("1Gi") > Quantity("1G"))
        #expect(try Quantity("1500m").milliValue == 1500)
        #expect(try Quantity("1Mi").integerValue == 1_048_576)
    }

    @Test(arguments: ["", "abc", "1Q", "1.2.3", "Gi", "1e99"])
    func rejectsBadQuantities(text: String) {
        #expect(throws: QuantityError.self) { try Quantity(text) }
    }
}

@Suite struct DurationTests {
    @Test(arguments: [("90s", 90.0), ("5m", 300), ("1h30m", 5400), ("1.5h", 5400), ("250ms", 0.25), ("0", 0), ("2h0m1s", 7201)])
    func parsesGoDurations(text: String, seconds: Double) throws {
        #expect(try SpecDuration(text).seconds == seconds)
    }

    @Test(arguments: ["", "10", "5 minutes", "1d", "h", "-5s"])
    func rejectsBadDurations(text: String) {
        #expect(throws: DurationError.self) { try SpecDuration(text) }
    }
}

@Suite struct TimestampTests {
    @Test func roundTripsRFC3339() throws {
        let t = try #require(Timestamp(rfc3339: "2026-11-24T07:36:11Z"))
        #expect(t.rfc3339 == "2026-11-24T07:36:11Z")
        #expect(t.secondsSince1970 == 1_795_505_771)
        let offset = try #require(Timestamp(rfc3339: "2026-11-24T09:36:11.5+02:00"))
        #expect(offset.secondsSince1970 == 1_795_505_771.5)
        #expect(Timestamp(rfc3339: "2026-13-01T00:00:00Z") == nil)
        #expect(Timestamp(rfc3339: "yesterday") == nil)
    }
}
