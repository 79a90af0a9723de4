import PillarCore
import Testing

@testable import PillarEval

@Suite struct CitationMetricsTests {
    static let handbook = EvalSource(
        rank: 1, documentID: "doc-1", sourceURI: "s3://kb/hr/handbook.pdf", title: "Employee Handbook")
    static let travel = EvalSource(rank: 2, documentID: "doc-2", sourceURI: "s3://kb/travel.pdf", title: nil)
    static let menu = EvalSource(rank: 3, documentID: "doc-3", sourceURI: "s3://kb/menu.pdf", title: "Menu")

    @Test func precisionCountsCitationsNamingAnExpectedSource() {
        let citations = [Self.handbook, Self.travel, Self.menu]
        #expect(CitationMetrics.precision(citations: citations, expected: ["handbook.pdf", "DOC-2"]) == 2.0 / 3.0)
        #expect(CitationMetrics.precision(citations: [], expected: ["handbook.pdf"]) == 0)
    }

    @Test func recallCountsEachExpectedSourceOnce() {
        // "Employee Handbook" and "handbook.pdf" are two expected sources the same citation matches; repeats
        // of one spelling (in any case) count once.
        let expected = ["Employee Handbook", "employee handbook", "handbook.pdf", "missing.pdf", " "]
        #expect(CitationMetrics.recall(citations: [Self.handbook], expected: expected) == 2.0 / 3.0)
        #expect(CitationMetrics.recall(citations: [Self.handbook], expected: []) == nil)
    }

    @Test func citationsMatchedAlsoReadsNamedMarkers() {
        let expected = ["s3://kb/travel.pdf", "handbook.pdf", "menu.pdf"]
        // travel.pdf only as a marker (matching the expected URI's last component); handbook as a citation.
        let answer = "Book early [travel.pdf#page=2]; see [1]."
        #expect(CitationMetrics.citationsMatched(answer: answer, citations: [Self.handbook], expected: expected) == 2.0 / 3.0)
        #expect(CitationMetrics.citationsMatched(answer: "Nothing cited.", citations: [], expected: expected) == 0)
        #expect(CitationMetrics.citationsMatched(answer: answer, citations: [], expected: []) == nil)
    }

    @Test func anyCitationSeesMarkersOrCitations() {
        #expect(CitationMetrics.anyCitation(answer: "Yes [2].", citations: []) == 1)
        #expect(CitationMetrics.anyCitation(answer: "Yes [plan.docx].", citations: []) == 1)
        #expect(CitationMetrics.anyCitation(answer: "Yes.", citations: [Self.menu]) == 1)
        #expect(CitationMetrics.anyCitation(answer: "Yes [sic].", citations: []) == 0)
    }
}
