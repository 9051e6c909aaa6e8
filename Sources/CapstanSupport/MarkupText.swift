/// Text made safe to place in XML or HTML, as element content or a quoted attribute value:
/// the five characters with a meaning there become entities. One function for the S3 client's
/// XML bodies and the web UI's pages.
public enum MarkupText {
    public static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}
