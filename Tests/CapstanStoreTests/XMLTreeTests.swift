@testable import CapstanStore
import Testing

@Suite struct XMLTreeTests {
    @Test func readsElementsTextEntitiesAndCDATA() throws {
        let root = try XMLTree.parse(Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <!-- listing -->
            <s3:ListBucketResult xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/" a='x>y'>
              <s3:Contents><s3:Key>a &amp; b &lt;c&gt; &#233;&#x263A;</s3:Key><Empty/></s3:Contents>
              <Contents><Key><![CDATA[<raw & text>]]></Key></Contents>
            </s3:ListBucketResult>
            """.utf8))
        #expect(root.name == "ListBucketResult")
        #expect(root.children("Contents").compactMap { $0.value("Key") } == ["a & b <c> é☺", "<raw & text>"])
        #expect(root.child("Contents")?.child("Empty")?.text == "")
    }

    @Test(arguments: ["", "<a>", "<a></b>", "<a>&bogus;</a>", "<a/><b/>", "text"])
    func rejectsMalformedDocuments(text: String) {
        #expect(throws: XMLTree.ParseError.self) { try XMLTree.parse(Array(text.utf8)) }
    }
}
