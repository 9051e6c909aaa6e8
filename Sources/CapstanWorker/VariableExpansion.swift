/// Kubernetes' expansion of `$(VAR)` in a container's command, args and env values:
/// `$(NAME)` becomes the variable's value when it is defined and stays as written
/// otherwise; `$$` escapes a `$`. Shared by the worker and the simulator's process kubelet.
public enum VariableExpansion {
    public static func expand(_ text: String, _ lookup: (String) -> String?) -> String {
        guard text.utf8.contains(UInt8(ascii: "$")) else { return text }
        var output = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            output += rest[..<dollar]
            let after = rest[rest.index(after: dollar)...]
            if after.first == "$" {
                output += "$"
                rest = after.dropFirst()
            } else if after.first == "(", let close = after.firstIndex(of: ")") {
                let name = String(after[after.index(after: after.startIndex)..<close])
                output += lookup(name) ?? "$(\(name))"
                rest = after[after.index(after: close)...]
            } else {
                output += "$"
                rest = after
            }
        }
        return output + rest
    }

    public static func expand(_ text: String, _ variables: [String: String]) -> String {
        expand(text) { variables[$0] }
    }
}
