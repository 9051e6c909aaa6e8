import Testing
@testable import CapstanController

@Suite("Listen addresses")
struct ListenAddressTests {
    @Test("accepted forms", arguments: [
        (":8080", "", 8080),
        ("127.0.0.1:0", "127.0.0.1", 0),
        ("0.0.0.0:9090", "0.0.0.0", 9090),
        ("localhost:65535", "localhost", 65535),
        ("[::1]:8081", "::1", 8081),
        ("[::]:80", "::", 80),
    ])
    func accepted(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text, flag: "--metrics-addr")
        #expect(address == ListenAddress(host: host, port: port))
        #expect(address.description == text)
    }

    @Test("rejected forms say which flag and what it accepts", arguments: [
        ("abc", #"--metrics-addr "abc": expected HOST:PORT or :PORT"#),
        ("8080", #"--metrics-addr "8080": expected HOST:PORT or :PORT"#),
        (":", #"--metrics-addr ":": expected HOST:PORT or :PORT"#),
        ("host:http", #"--metrics-addr "host:http": expected HOST:PORT or :PORT"#),
        (":-1", #"--metrics-addr ":-1": expected HOST:PORT or :PORT"#),
        (":70000", #"--metrics-addr ":70000": expected a port from 0 to 65535"#),
        ("::1:8080", #"--metrics-addr "::1:8080": expected HOST:PORT or :PORT, with an IPv6 host in brackets ([::1]:8080)"#),
        ("[]:8080", #"--metrics-addr "[]:8080": expected HOST:PORT or :PORT"#),
        ("a b:80", #"--metrics-addr "a b:80": expected HOST:PORT or :PORT"#),
    ])
    func rejected(text: String, message: String) {
        let error = #expect(throws: FlagValueError.self) { try ListenAddress(parsing: text, flag: "--metrics-addr") }
        #expect(error?.description == message)
    }

    @Test("no host means every IPv4 interface")
    func defaultsBindEverywhere() {
        #expect(ListenAddress.defaultMetrics.description == ":8080")
        #expect(ListenAddress.defaultHealth.description == ":8081")
        #expect(ListenAddress.defaultMetrics.bindHost == "0.0.0.0")
    }
}
