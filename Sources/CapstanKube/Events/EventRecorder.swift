import CapstanAPI
import CapstanSupport
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Records Kubernetes Events (core/v1, what `kubectl describe` and `kubectl get events`
/// show) about objects, as client-go's recorder does: best effort — failures are logged,
/// never thrown — and repeats of the same event on the same object within `aggregationWindow`
/// raise the first event's `count` instead of creating new objects.
public final class EventRecorder: Sendable {
    public enum EventType: String, Sendable {
        case normal = "Normal"
        case warning = "Warning"
    }

    private struct Key: Hashable, Sendable {
        var uid: String
        var type: EventType
        var reason: String
        var message: String
    }

    private struct Seen: Sendable {
        var name: String
        var namespace: String
        var count: Int
        var firstTimestamp: String
        var lastSeen: Date
    }

    private let client: any ResourceWriter
    private let component: String
    private let instance: String
    private let aggregationWindow: TimeInterval
    private let maxTracked: Int
    private let wallClock: @Sendable () -> Date
    private let logger: Logger
    private let seen = NIOLockedValueBox([Key: Seen]())

    public init(client: any ResourceWriter, component: String = "capstan-controller",
                instance: String = ProcessInfo.processInfo.environment["HOSTNAME"] ?? "capstan", aggregationWindow: Duration = .seconds(600),
                maxTracked: Int = 4096, wallClock: @escaping @Sendable () -> Date = { Date() },
                logger: Logger = Logger(label: "capstan.events")) {
        self.client = client
        self.component = component
        self.instance = instance
        self.aggregationWindow = aggregationWindow.seconds
        self.maxTracked = maxTracked
        self.wallClock = wallClock
        self.logger = logger
    }

    /// Records that `reason` happened to `object` (e.g. `NodeRetrying` on a Workflow).
    /// The message is cut to 1024 characters, the API server's limit.
    public func record(_ object: ObjectReference, type: EventType = .normal, reason: String, message: String) async {
        let message = String(message.prefix(1024))
        let now = wallClock()
        let timestamp = Self.timestamp(now)
        let key = Key(uid: object.uid, type: type, reason: reason, message: message)
        let namespace = object.namespace ?? "default"

        let repeated: Seen? = seen.withLockedValue { seen in
            guard var entry = seen[key], now.timeIntervalSince(entry.lastSeen) < aggregationWindow else { return nil }
            entry.count += 1
            entry.lastSeen = now
            seen[key] = entry
            return entry
        }
        if let repeated {
            do {
                _ = try await client.patch(.events, namespace: repeated.namespace, name: repeated.name,
                                           patch: .merge(["count": .number(Double(repeated.count)), "lastTimestamp": .string(timestamp)]))
                return
            } catch let error as KubeError where error.isNotFound {
                // The event expired on the server (events live about an hour); start a new one.
            } catch {
                logger.warning("could not update event", metadata: ["reason": "\(reason)", "object": "\(object.name)", "error": "\(error)"])
                return
            }
        }

        let name = "\(object.name).\(String(UInt64(now.timeIntervalSince1970 * 1e9), radix: 16))"
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "involvedObject": object.json,
            "reason": .string(reason), "message": .string(message), "type": .string(type.rawValue),
            "firstTimestamp": .string(timestamp), "lastTimestamp": .string(timestamp), "count": 1,
            "source": ["component": .string(component), "host": .string(instance)],
            "reportingComponent": .string(component), "reportingInstance": .string(instance),
        ]
        do {
            // The answer is not read: an Event is written once per node start or finish, and
            // decoding what was just sent back is a share of a busy controller's CPU.
            try await client.createIgnoringAnswer(.events, namespace: namespace, object: event)
            seen.withLockedValue { seen in
                if seen.count >= maxTracked { evict(&seen, now: now) }
                seen[key] = Seen(name: name, namespace: namespace, count: 1, firstTimestamp: timestamp, lastSeen: now)
            }
        } catch {
            logger.warning("could not record event", metadata: ["reason": "\(reason)", "object": "\(object.name)", "error": "\(error)"])
        }
    }

    /// Makes room when `maxTracked` events are remembered: those past the aggregation window
    /// go, then the least recently seen until half are left. Half at once, so a controller
    /// that records events for thousands of Workflows sorts once per `maxTracked / 2` new
    /// events rather than searching every entry for each one. A repeat of a forgotten event
    /// creates a new Event instead of raising a count, as after the window.
    private func evict(_ seen: inout [Key: Seen], now: Date) {
        seen = seen.filter { now.timeIntervalSince($0.value.lastSeen) < aggregationWindow }
        let keep = maxTracked / 2
        guard seen.count > keep else { return }
        let newest = seen.sorted { $0.value.lastSeen > $1.value.lastSeen }.prefix(keep)
        seen = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }

    /// RFC 3339 in UTC with whole seconds, the format of an Event's `firstTimestamp`.
    static func timestamp(_ date: Date) -> String {
        UTCTime(timeIntervalSince1970: date.timeIntervalSince1970).rfc3339()
    }
}
