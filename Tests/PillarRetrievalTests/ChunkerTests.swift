import Foundation
import Testing

@testable import PillarRetrieval

@Suite struct ChunkerTests {
    static let optionSets = [
        ChunkingOptions(), ChunkingOptions(maxTokens: 16, overlapTokens: 7, minTokens: 4),
        ChunkingOptions(maxTokens: 64, overlapTokens: 0, minTokens: 0),
        ChunkingOptions(maxTokens: 100, overlapTokens: 30, minTokens: 40),
    ]
    let counter = WordPieceTokenEstimate()

    /// Checks every promise a chunk list makes about the document it came from.
    func checkInvariants(_ document: LoadedDocument, _ chunks: [TextChunk], _ options: ChunkingOptions, _ label: String) {
        let scalars = Array(document.text.unicodeScalars)
        let sections = Chunker.coveringSections(document)
        var covered = [Bool](repeating: false, count: scalars.count)
        for (index, chunk) in chunks.enumerated() {
            #expect(chunk.ordinal == index, "\(label)")
            #expect(
                chunk.text == String(String.UnicodeScalarView(scalars[chunk.range])),
                "\(label) chunk \(index): text is not text[range]")
            #expect(chunk.tokenCount == counter.count(chunk.text[...]), "\(label)")
            #expect(chunk.tokenCount <= options.maxTokens, "\(label) chunk \(index) has \(chunk.tokenCount) tokens")
            #expect(!chunk.text.isEmpty && chunk.text.unicodeScalars.first!.properties.isWhitespace == false, "\(label)")
            let section = sections.first { $0.range.contains(chunk.range.lowerBound) }
            #expect(
                section.map { $0.range.upperBound >= chunk.range.upperBound } == true, "\(label) chunk \(index) crosses a section"
            )
            #expect(section?.headingPath == chunk.headingPath, "\(label)")
            for offset in chunk.range { covered[offset] = true }
            guard index > 0 else { continue }
            let previous = chunks[index - 1]
            #expect(previous.range.lowerBound < chunk.range.lowerBound, "\(label) chunks out of order")
            let sameSection = section?.range.contains(previous.range.lowerBound) == true
            if sameSection, options.overlapTokens > 0, let lastWord = previous.text.split(whereSeparator: \.isWhitespace).last,
                counter.count(lastWord) <= options.overlapTokens
            {
                #expect(
                    chunk.range.lowerBound < previous.range.upperBound, "\(label) chunk \(index) does not overlap the one before")
            }
        }
        // No text is lost: every visible scalar is in some chunk.
        let lost = scalars.indices.first { !covered[$0] && !scalars[$0].properties.isWhitespace }
        #expect(lost == nil, "\(label): scalar at \(lost ?? -1) is in no chunk")
    }

    @Test(arguments: 0..<60)
    func randomMarkdownDocumentsKeepEveryInvariant(seed: Int) throws {
        let source = RandomDocuments.markdown(seed: UInt64(seed))
        let document = try DocumentLoader().load(Data(source.utf8), format: .markdown)
        let options = Self.optionSets[seed % Self.optionSets.count]
        checkInvariants(document, Chunker(options: options).chunk(document), options, "seed \(seed)")
    }

    @Test(arguments: 0..<30)
    func arbitrarySectionsAreRespected(seed: Int) throws {
        let source = RandomDocuments.markdown(seed: UInt64(1000 + seed))
        let document = RandomDocuments.withArbitrarySections(LoadedDocument(text: source, sections: []), seed: UInt64(seed))
        let options = Self.optionSets[seed % Self.optionSets.count]
        checkInvariants(document, Chunker(options: options).chunk(document), options, "seed \(seed)")
    }

    @Test func aSmallDocumentIsOneChunk() {
        let document = LoadedDocument(
            text: "  Hello there. General Kenobi!\n\n", sections: [Section(headingPath: ["Greeting"], range: 0..<32)])
        let chunks = Chunker(options: ChunkingOptions()).chunk(document)
        #expect(
            chunks == [
                TextChunk(
                    ordinal: 0, text: "Hello there. General Kenobi!", headingPath: ["Greeting"], range: 2..<30, tokenCount: 8)
            ])
    }

    @Test func sectionsAreNeverMixed() throws {
        let document = try DocumentLoader().load(Data("# A\nshort one.\n# B\nshort two.\n## C\nthree".utf8), format: .markdown)
        let chunks = Chunker(options: ChunkingOptions()).chunk(document)
        #expect(chunks.map(\.text) == ["# A\nshort one.", "# B\nshort two.", "## C\nthree"])
        #expect(chunks.map(\.headingPath) == [["A"], ["B"], ["B", "C"]])
    }

    @Test func longProseSplitsAtSentencesWithWholeSentenceOverlap() {
        let sentences = (1...40).map { "Sentence number \($0) talks about the retrieval pipeline in some detail." }
        let text = sentences.joined(separator: " ")
        let document = LoadedDocument(text: text, sections: [Section(headingPath: [], range: 0..<text.unicodeScalars.count)])
        let sentenceTokens = counter.count(sentences[0][...])
        // Room for four sentences a chunk, and an overlap of one whole sentence.
        let options = ChunkingOptions(maxTokens: 4 * sentenceTokens + 4, overlapTokens: sentenceTokens + 2, minTokens: 8)
        let chunks = Chunker(options: options).chunk(document)
        #expect(chunks.count > 10)
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            #expect(next.text.hasPrefix("Sentence number"))
            #expect(previous.text.hasSuffix("detail."))
            let shared = previous.range.clamped(to: next.range)
            #expect(!shared.isEmpty)
            #expect(counter.count(document.text(in: shared)) <= options.overlapTokens)
        }
        checkInvariants(document, chunks, options, "prose")
    }

    @Test func paragraphsStayWholeWhenTheyFit() {
        let paragraph = "Pillar chunks text. It keeps paragraphs together when it can."
        let text = Array(repeating: paragraph, count: 6).joined(separator: "\n\n")
        let document = LoadedDocument(text: text, sections: [])
        // Room for two and a half paragraphs: the third must not be split to fill the chunk.
        let maxTokens = counter.count(paragraph[...]) * 5 / 2
        let chunks = Chunker(options: ChunkingOptions(maxTokens: maxTokens, overlapTokens: 0, minTokens: 4)).chunk(document)
        #expect(chunks.map(\.text) == Array(repeating: paragraph + "\n\n" + paragraph, count: 3))
    }

    @Test func aChunkWithTooLittleOfItsOwnIsFilledFromTheNextParagraph() {
        let intro = "Short intro."
        let body = Array(repeating: "Alpha beta gamma delta.", count: 8).joined(separator: " ")
        let maxTokens = counter.count(body[...])  // the body fits alone, but not after the intro
        let document = LoadedDocument(text: intro + "\n\n" + body, sections: [])
        let chunks = Chunker(options: ChunkingOptions(maxTokens: maxTokens, overlapTokens: 0, minTokens: 8)).chunk(document)
        #expect(chunks.count == 2)
        #expect(chunks[0].text.hasPrefix(intro + "\n\nAlpha beta gamma delta. Alpha"))
        #expect(chunks[1].text == "Alpha beta gamma delta.")
    }

    @Test func monsterWordsAreCutToTheLimit() {
        let blob = String(repeating: "QUJD", count: 5_000)
        let text = "Before the blob. " + blob + " After the blob."
        let document = LoadedDocument(text: text, sections: [])
        let options = ChunkingOptions(maxTokens: 64, overlapTokens: 8, minTokens: 8)
        let chunks = Chunker(options: options).chunk(document)
        #expect(chunks.allSatisfy { $0.tokenCount <= 64 })
        #expect(chunks.count > 3300 / 64)
        checkInvariants(document, chunks, options, "blob")
    }

    @Test func combiningMarksStayWithTheirLetter() {
        let text = String(repeating: "e\u{301}", count: 3_000)
        let chunks = Chunker(options: ChunkingOptions(maxTokens: 32, overlapTokens: 0, minTokens: 0)).chunk(
            LoadedDocument(text: text, sections: []))
        #expect(chunks.count > 1)
        #expect(chunks.allSatisfy { $0.text.unicodeScalars.first == "e" && $0.text.unicodeScalars.last == "\u{301}" })
    }

    @Test func emptyAndBlankDocumentsHaveNoChunks() {
        let chunker = Chunker(options: ChunkingOptions())
        #expect(chunker.chunk(LoadedDocument(text: "", sections: [])).isEmpty)
        #expect(chunker.chunk(LoadedDocument(text: " \n\n\t", sections: [Section(headingPath: ["x"], range: 0..<4)])).isEmpty)
    }

    @Test func structuredRecordsAreChunkedApart() throws {
        let csv = "name,notes\n" + (1...5).map { "item \($0),note \($0)" }.joined(separator: "\n")
        let document = try DocumentLoader().load(Data(csv.utf8), format: .csv)
        let chunks = Chunker(options: ChunkingOptions()).chunk(document)
        #expect(chunks.map(\.headingPath) == (2...6).map { ["row \($0)"] })
        #expect(chunks[0].text == "name: item 1\nnotes: note 1")
    }
}

@Suite struct SentenceSplittingTests {
    func sentences(_ text: String) -> [String] {
        let segmenter = TextSegmenter(text)
        let span = TextSpan(lower: text.startIndex, upper: text.endIndex, start: 0, end: text.unicodeScalars.count)
        return segmenter.sentences(in: span).map { String(text[$0.lower..<$0.upper]) }
    }

    @Test(arguments: [
        ("Dr. Smith arrived. He left at 5 p.m. Then it rained.", ["Dr. Smith arrived.", "He left at 5 p.m. Then it rained."]),
        ("Use tools, e.g. Pillar. It works!", ["Use tools, e.g. Pillar.", "It works!"]),
        ("J. R. R. Tolkien wrote it. \"Really?\" she asked.", ["J. R. R. Tolkien wrote it.", "\"Really?\" she asked."]),
        ("Version 2.5 is out. 3 bugs fixed.", ["Version 2.5 is out.", "3 bugs fixed."]),
        ("He said \"stop.\" Then he went.", ["He said \"stop.\"", "Then he went."]),
        ("lowercase after. does not split", ["lowercase after. does not split"]),
        ("Wait... What?! Fine.", ["Wait...", "What?!", "Fine."]),
        ("東京です。大阪です。", ["東京です。", "大阪です。"]),
        ("No terminal at all", ["No terminal at all"]),
    ])
    func splitsSentences(text: String, expected: [String]) {
        #expect(sentences(text) == expected)
    }
}

@Suite struct ChunkingOptionsTests {
    @Test(arguments: [
        (ChunkingOptions(maxTokens: 8), "maxTokens"), (ChunkingOptions(maxTokens: 4096), "maxTokens"),
        (ChunkingOptions(maxTokens: 64, overlapTokens: 32), "overlapTokens"),
        (ChunkingOptions(overlapTokens: -1), "overlapTokens"),
        (ChunkingOptions(maxTokens: 64, overlapTokens: 8, minTokens: 64), "minTokens"),
    ])
    func invalidOptionsNameTheirField(options: ChunkingOptions, field: String) {
        #expect { try options.validate() } throws: { ($0 as? ChunkingOptionsError)?.field == field }
        #expect(throws: Never.self) { try options.clamped().validate() }
    }

    @Test func decodingKeepsDefaultsForMissingKeys() throws {
        let options = try JSONDecoder().decode(ChunkingOptions.self, from: Data(#"{"maxTokens": 128}"#.utf8))
        #expect(options == ChunkingOptions(maxTokens: 128, overlapTokens: 32, minTokens: 16))
        #expect(throws: Never.self) { try ChunkingOptions().validate() }
    }
}
