/// A duration as people read it at a glance, the same in `capstan dev`, `capstan get` and
/// `capstan ui`: `850ms`, `4.2s`, `3m05s`, `1h02m`.
public enum DurationText {
    public static func short(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 {
            let tenths = Int((seconds * 10).rounded())
            return "\(tenths / 10).\(tenths % 10)s"
        }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60)m\(pad(whole % 60))s" }
        if whole < 86400 { return "\(whole / 3600)h\(pad(whole / 60 % 60))m" }
        return "\(whole / 86400)d\(pad(whole / 3600 % 24))h"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
