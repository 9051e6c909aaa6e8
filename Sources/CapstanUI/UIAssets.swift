/// The page's stylesheet, script and icon, compiled into the binary: the UI works on a
/// machine with no internet, and what it serves is exactly what was tested.
enum UIAssets {
    static let stylePath = "/assets/capstan.css"
    static let scriptPath = "/assets/capstan.js"
    static let iconPath = "/assets/icon.svg"

    static func response(for path: [String]) -> UIResponse? {
        switch "/" + path.joined(separator: "/") {
        case stylePath: return .full(status: 200, contentType: "text/css; charset=utf-8", body: Array(style.utf8))
        case scriptPath: return .full(status: 200, contentType: "text/javascript; charset=utf-8", body: Array(script.utf8))
        case iconPath, "/favicon.ico": return .full(status: 200, contentType: "image/svg+xml", body: Array(icon.utf8))
        default: return nil
        }
    }

    /// A capstan seen from above: a drum on a deck.
    static let icon = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#0072B2"/>\
        <circle cx="8" cy="8" r="3.5" fill="#fff"/></svg>
        """
}
