/// The state of a map node's items, small by construction: counts, one packed 2-bit phase
/// per item, and retry bookkeeping only for items that failed and are not finished yet.
public struct MapStatus: Sendable, Hashable {
    public var items: ItemPhases
    /// Items between attempts or running a retry, by index.
    public var retrying: [Int: ItemRetry] = [:]

    public init(total: Int) { items = ItemPhases(count: total) }

    public var total: Int { items.count }
    public var running: Int { items.count(of: .running) }
    public var succeeded: Int { items.count(of: .succeeded) }
    public var failed: Int { items.count(of: .failed) }
}

public struct ItemRetry: Sendable, Hashable {
    public var failures: Int
    public var systemFailures: Int
    public var retryAt: Timestamp?

    public init(failures: Int = 0, systemFailures: Int = 0, retryAt: Timestamp? = nil) {
        self.failures = failures
        self.systemFailures = systemFailures
        self.retryAt = retryAt
    }

    /// The attempt number of the item's next (or current) pod.
    public var attempt: Int { failures }
    public var userFailures: Int { failures - systemFailures }
}

public enum ItemPhase: UInt8, Sendable, Hashable {
    case pending = 0, running = 1, succeeded = 2, failed = 3
}

/// One `ItemPhase` per item, four to a byte, with counts kept up to date so that reading
/// them never scans the array.
public struct ItemPhases: Sendable, Hashable {
    public private(set) var count: Int
    private var bytes: [UInt8]
    private var counts: [Int] = [0, 0, 0, 0]

    public init(count: Int) {
        self.count = count
        self.bytes = [UInt8](repeating: 0, count: (count + 3) / 4)
        self.counts[0] = count
    }

    public subscript(index: Int) -> ItemPhase {
        get { ItemPhase(rawValue: (bytes[index >> 2] >> UInt8((index & 3) * 2)) & 3)! }
        set {
            let old = self[index]
            guard old != newValue else { return }
            counts[Int(old.rawValue)] -= 1
            counts[Int(newValue.rawValue)] += 1
            let shift = UInt8((index & 3) * 2)
            bytes[index >> 2] = (bytes[index >> 2] & ~(3 << shift)) | (newValue.rawValue << shift)
        }
    }

    public func count(of phase: ItemPhase) -> Int { counts[Int(phase.rawValue)] }

    /// Indexes in the given phase, in order.
    public func indexes(in phase: ItemPhase) -> [Int] {
        var result: [Int] = []
        for i in 0..<count where self[i] == phase { result.append(i) }
        return result
    }

    /// Run-length text (`2:500,1:20,0:480`) when items sit in long runs, which is the usual
    /// case; base64 of the packed bytes otherwise. Whichever is shorter.
    public var encoded: String {
        var runs: [String] = []
        var i = 0
        var runLimitHit = false
        while i < count {
            let phase = self[i]
            var j = i + 1
            while j < count, self[j] == phase { j += 1 }
            runs.append("\(phase.rawValue):\(j - i)")
            i = j
            if runs.count * 4 > bytes.count * 2 { runLimitHit = true; break }
        }
        if !runLimitHit { return "r" + runs.joined(separator: ",") }
        return "b" + Base64.encode(bytes)
    }

    public init?(encoded text: String, count: Int) {
        self.init(count: count)
        if text.hasPrefix("r") {
            var index = 0
            for run in text.dropFirst().split(separator: ",") {
                let parts = run.split(separator: ":")
                guard parts.count == 2, let raw = UInt8(parts[0]), let phase = ItemPhase(rawValue: raw),
                    let length = Int(parts[1]), length >= 0, index + length <= count
                else { return nil }
                for i in index..<index + length { self[i] = phase }
                index += length
            }
            guard index == count else { return nil }
        } else if text.hasPrefix("b"), let decoded = Base64.decode(String(text.dropFirst())),
            decoded.count == (count + 3) / 4
        {
            for i in 0..<count {
                let raw = (decoded[i >> 2] >> UInt8((i & 3) * 2)) & 3
                self[i] = ItemPhase(rawValue: raw)!
            }
        } else {
            return nil
        }
    }
}
