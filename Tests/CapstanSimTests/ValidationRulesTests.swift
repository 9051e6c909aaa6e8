@testable import CapstanSim
import Testing

/// apimachinery's name and label patterns, which are ASCII: whatever else a user types (an
/// accented letter, a space, a full-width digit) is refused as kube-apiserver refuses it.
@Suite struct ValidationRulesTests {
    @Test(arguments: [
        ("my-name", true), ("123-abc", true), ("a", true),
        ("-a", false), ("a-", false), ("My-name", false), ("a_b", false), ("a.b", false), ("", false),
        ("café", false), ("ca\u{301}fe", false), ("１２３", false), ("a b", false),
    ])
    func dns1123Labels(value: String, valid: Bool) {
        #expect(ValidationRules.dns1123Label(value).isEmpty == valid, "\(value)")
    }

    @Test(arguments: [
        ("example.com", true), ("a.b-c.d", true),
        ("example..com", false), (".example", false), ("Example.com", false), ("exämple.com", false),
    ])
    func dns1123Subdomains(value: String, valid: Bool) {
        #expect(ValidationRules.dns1123Subdomain(value).isEmpty == valid, "\(value)")
    }

    @Test(arguments: [
        ("MyName", true), ("my.name", true), ("123-abc", true), ("a_b", true), ("example.com/My_Name", true),
        ("_a", false), ("a.", false), ("bad key", false), ("naïve", false), ("Example.com/name", false),
        ("/name", false), ("a/b/c", false),
    ])
    func qualifiedNames(value: String, valid: Bool) {
        #expect(ValidationRules.qualifiedName(value).isEmpty == valid, "\(value)")
    }

    @Test(arguments: [
        ("", true), ("MyValue", true), ("my_value", true), ("12345", true), ("v1.2-rc_3", true),
        ("data science!", false), ("-v", false), ("v.", false), ("größe", false), ("🙂", false),
        (String(repeating: "a", count: 64), false),
    ])
    func labelValues(value: String, valid: Bool) {
        #expect(ValidationRules.labelValue(value).isEmpty == valid, "\(value)")
    }
}
