import CapstanAPI
import CapstanSupport
import Foundation

/// The leader-election fields of a `coordination.k8s.io/v1` Lease's spec.
struct LeaseRecord: Sendable, Hashable {
    var holderIdentity: String
    var leaseDurationSeconds: Int
    var acquireTime: String?
    var renewTime: String?
    var leaseTransitions: Int

    init(holderIdentity: String, leaseDurationSeconds: Int, acquireTime: String?, renewTime: String?, leaseTransitions: Int) {
        self.holderIdentity = holderIdentity
        self.leaseDurationSeconds = leaseDurationSeconds
        self.acquireTime = acquireTime
        self.renewTime = renewTime
        self.leaseTransitions = leaseTransitions
    }

    init(lease: JSONValue) {
        let spec = lease["spec"]
        holderIdentity = spec?["holderIdentity"]?.stringValue ?? ""
        leaseDurationSeconds = spec?["leaseDurationSeconds"]?.intValue ?? 0
        acquireTime = spec?["acquireTime"]?.stringValue
        renewTime = spec?["renewTime"]?.stringValue
        leaseTransitions = spec?["leaseTransitions"]?.intValue ?? 0
    }

    var spec: JSONValue {
        var fields: [String: JSONValue] = [
            "holderIdentity": .string(holderIdentity),
            "leaseDurationSeconds": .number(Double(leaseDurationSeconds)),
            "leaseTransitions": .number(Double(leaseTransitions)),
        ]
        if let acquireTime { fields["acquireTime"] = .string(acquireTime) }
        if let renewTime { fields["renewTime"] = .string(renewTime) }
        return .object(fields)
    }

    /// Kubernetes `MicroTime`: RFC 3339 in UTC with microseconds.
    static func microTime(_ date: Date) -> String {
        UTCTime(timeIntervalSince1970: date.timeIntervalSince1970).rfc3339(fractionDigits: 6)
    }
}
