import Foundation
import Testing

@testable import PillarRetrieval

@Suite struct HTMLLoaderTests {
    func load(_ html: String) throws -> LoadedDocument {
        try DocumentLoader().load(Data(html.utf8), format: .html)
    }

    @Test func keepsOnlyVisibleText() throws {
        let document = try load(
            """
            <!DOCTYPE html>
            <html><head><title>Fish &amp; Chips</title>
            <style>body { color: red; } p > a { }</style>
            <script>if (a < b && c > d) { document.write("<p>hidden</p>") }</script>
            <meta name="x" content="y"></head>
            <body><!-- a comment with <p>markup</p> -->
            <noscript>enable JS</noscript><template><p>inert</p></template>
            <p>Hello,   <b>world</b>!</p><p>Second&nbsp;paragraph &lt;tag&gt; &#8364;5 &#x1F600; &eacute;t&eacute; &bogus; a&b</p>
            <svg><title>chart tooltip</title><text>axis</text></svg>
            </body></html>
            """)
        #expect(document.title == "Fish & Chips")
        #expect(document.text == "Hello, world!\n\nSecond paragraph <tag> €5 😀 été &bogus; a&b")
    }

    @Test func blockElementsBreakLines() throws {
        let document = try load(
            "<div>one</div><div>two<br>three<br><br>four</div><ul><li>a</li><li>b</li></ul><table><tr><th>k</th><th>v</th></tr><tr><td>x</td><td>1</td></tr></table>"
        )
        #expect(document.text == "one\ntwo\nthree\n\nfour\n\na\nb\n\nk | v\nx | 1")
    }

    @Test func preformattedTextKeepsItsWhitespace() throws {
        let document = try load("<p>Run:</p><pre>\nmake  serve\n  --port 9090</pre><p>done</p>")
        #expect(document.text == "Run:\n\nmake  serve\n  --port 9090\n\ndone")
    }

    @Test func headingsMakeSectionsAndTheFallbackTitle() throws {
        let document = try load(
            """
            <p>Preface</p><h1>Guide</h1><p>Intro</p><h2>Install <small>(v2)</small></h2><p>Steps</p>
            <h3>Linux</h3><p>apt</p><h2>Use</h2><p>Run</p>
            """)
        #expect(document.title == "Guide")
        #expect(
            document.sections.map(\.headingPath) == [
                [], ["Guide"], ["Guide", "Install (v2)"], ["Guide", "Install (v2)", "Linux"], ["Guide", "Use"],
            ])
        #expect(document.text(in: document.sections[3].range) == "Linux\n\napt\n\n")
        #expect(document.text(in: document.sections[4].range) == "Use\n\nRun")
        assertContiguous(document)
    }

    @Test func toleratesMalformedMarkup() throws {
        let document = try load("<p>a < b</p><div class=\"x>y\">inside</div> <p>unclosed <b>bold <i>both")
        #expect(document.text == "a < b\n\ninside\n\nunclosed bold both")
    }

    @Test(arguments: [
        "<p>text <!-- never closed", "<p>text <script>never closed", "<p>text <a href=\"never closed>more",
        "<p>text <", "<p>text </", "<p>text <!", "<p>text &#", "<p>text &#x110000000000; &#0; &#55296;",
        "<h1>open heading<p>text",
    ])
    func neverCrashesOnTruncatedMarkup(html: String) throws {
        let document = try load(html)
        #expect(document.text.hasPrefix("text") || document.text.hasPrefix("open heading"))
    }

    @Test func handlesHugeAttributesAndRunsOfAngleBrackets() throws {
        let huge = "<p data-x=\"" + String(repeating: "x", count: 200_000) + "\">after</p>"
        #expect(try load(huge).text == "after")
        let brackets = String(repeating: "<", count: 100_000) + " end"
        #expect(try load(brackets).text.hasSuffix("<< end"))
        let openTags = String(repeating: "<a ", count: 50_000)
        #expect(throws: LoadingError.empty) { try load(openTags) }
    }

    @Test func honoursADeclaredLatin1Charset() throws {
        let bytes: [UInt8] =
            Array("<meta charset=\"windows-1252\"><p>caf".utf8) + [0xE9, 0x20, 0x96, 0x20] + Array("ok</p>".utf8)
        #expect(try DocumentLoader().load(Data(bytes), format: .html).text == "café – ok")
        #expect(throws: LoadingError.invalidEncoding) {
            try DocumentLoader().load(Data(Array("<p>caf".utf8) + [0xE9]), format: .html)
        }
    }
}
