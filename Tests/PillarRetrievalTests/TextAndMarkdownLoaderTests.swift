import Foundation
import Testing

@testable import PillarRetrieval

@Suite struct TextLoaderTests {
    let loader = DocumentLoader()

    @Test func stripsTheByteOrderMarkAndNormalisesLineBreaks() throws {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data("one\r\ntwo\rthree\n".utf8)
        let document = try loader.load(data, format: .text)
        #expect(document.text == "one\ntwo\nthree\n")
        #expect(document.title == nil)
        #expect(document.sections == [Section(headingPath: [], range: 0..<14)])
    }

    @Test(arguments: [[0x66, 0x6F, 0xFF], [0xC3, 0x28], [0xE2, 0x82], [0xED, 0xA0, 0x80]] as [[UInt8]])
    func refusesInvalidUTF8(bytes: [UInt8]) {
        #expect(throws: LoadingError.invalidEncoding) { try loader.load(Data(bytes), format: .text) }
    }

    @Test func readsUTF16WithAByteOrderMark() throws {
        var data = Data([0xFF, 0xFE])
        for unit in "héllo\r\nwörld".utf16 { data.append(contentsOf: [UInt8(unit & 0xFF), UInt8(unit >> 8)]) }
        #expect(try loader.load(data, format: .text).text == "héllo\nwörld")
    }

    @Test func sectionOffsetsCountUnicodeScalars() throws {
        let document = try loader.load(Data("e\u{301}👍🏽 ok".utf8), format: .text)
        #expect(document.sections[0].range == 0..<7)
        #expect(document.text(in: 2..<4) == "👍🏽")
    }
}

@Suite struct MarkdownLoaderTests {
    func load(_ markdown: String) throws -> LoadedDocument {
        try DocumentLoader().load(Data(markdown.utf8), format: .markdown)
    }

    @Test func sectionsFollowTheHeadingTree() throws {
        let document = try load(
            """
            Intro text.

            # Install
            Get it.
            ## Linux
            apt-get install pillar
            ### Debian ###
            Works.
            ## macOS
            brew install pillar
            # Use
            Run it.
            """)
        #expect(document.title == "Install")
        #expect(
            document.sections.map(\.headingPath) == [
                [], ["Install"], ["Install", "Linux"], ["Install", "Linux", "Debian"], ["Install", "macOS"], ["Use"],
            ])
        #expect(document.text(in: document.sections[2].range) == "## Linux\napt-get install pillar\n")
        #expect(document.text(in: document.sections[5].range) == "# Use\nRun it.")
        assertContiguous(document)
    }

    @Test func ignoresHashesInFencedCodeAndNonHeadings() throws {
        let document = try load(
            """
            # Real
            ```bash
            # not a heading
            ~~~
            # still code
            ```
            #hashtag is not a heading
                # indented code, not a heading
            ~~~~
            # code again
            ~~~~
            ## Also real
            """)
        #expect(document.sections.map(\.headingPath) == [["Real"], ["Real", "Also real"]])
    }

    @Test func frontMatterIsRemovedAndGivesTheTitle() throws {
        let document = try load("---\ntitle: \"Field Guide\"\ntags: [a]\n---\n# Heading\nBody")
        #expect(document.title == "Field Guide")
        #expect(document.text == "# Heading\nBody")
        #expect(document.sections.map(\.headingPath) == [["Heading"]])
    }

    @Test func unclosedFrontMatterIsJustText() throws {
        let document = try load("---\ntitle: x\nno end")
        #expect(document.title == nil)
        #expect(document.text == "---\ntitle: x\nno end")
    }

    @Test func headingTextLosesInlineMarkup() throws {
        let document = try load("# The `pillar` *CLI* and [docs](https://example.com) #\ntext")
        #expect(document.title == "The pillar CLI and docs")
    }

    @Test func titleIsTheFirstLevelOneHeading() throws {
        #expect(try load("## Sub\n# Main\n# Other").title == "Main")
        #expect(try load("## Only sub").title == nil)
    }
}

/// Loaders promise sections that are sorted, disjoint and cover the whole text.
func assertContiguous(_ document: LoadedDocument, sourceLocation: SourceLocation = #_sourceLocation) {
    var expectedStart = 0
    for section in document.sections {
        #expect(section.range.lowerBound == expectedStart, sourceLocation: sourceLocation)
        expectedStart = section.range.upperBound
    }
    #expect(expectedStart == document.text.unicodeScalars.count, sourceLocation: sourceLocation)
}
