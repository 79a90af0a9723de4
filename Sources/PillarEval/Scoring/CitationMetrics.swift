import Foundation
import PillarCore

/// Metrics of what an answer cites against the sources the item expects. Expected sources are matched with
/// `EvalSource.matches` (document id, URI, its last path component or title, without case) and counted once
/// however often they are listed.
///
/// `citationsMatched` and `anyCitation` follow the `citations_matched` and `any_citation` metrics of
/// azure-search-openai-demo's `evals/evaluate.py`. There, the ground truth is a reference answer whose
/// `[file.ext]` markers (optionally `#page=n`) are the expected citations; `citations_matched` is the share
/// of those markers that the response's markers include, and `any_citation` is whether the response has at
/// least one such marker. Ours maps them onto Pillar's data:
/// - ground-truth citations are the item's expected sources (not markers parsed from a reference answer);
/// - the answer's citations are its structured `citations`, its `[n]` markers (the citation with that
///   marker) and its `[name.ext]` markers (compared by name with an expected source or its last path
///   component);
/// - pages are not told apart: an expected source is a document;
/// - `any_citation` also counts `[n]` markers and structured citations, which is how Pillar answers cite;
/// - theirs divides by zero on a ground truth without citations; ours does not apply then (nil).
public enum CitationMetrics {
    /// The share of the answer's citations that name some expected source; 0 when it cites nothing.
    public static func precision(citations: [EvalSource], expected: [String]) -> Double {
        guard !citations.isEmpty else { return 0 }
        let sources = distinctSources(expected)
        let matching = citations.filter { citation in sources.contains { citation.matches($0) } }.count
        return Double(matching) / Double(citations.count)
    }

    /// The share of expected sources some citation names; nil when nothing is expected.
    public static func recall(citations: [EvalSource], expected: [String]) -> Double? {
        let sources = distinctSources(expected)
        guard !sources.isEmpty else { return nil }
        let cited = sources.filter { source in citations.contains { $0.matches(source) } }.count
        return Double(cited) / Double(sources.count)
    }

    /// azure-search-openai-demo's `citations_matched`: the share of expected sources the answer cites by a
    /// structured citation or a marker in its text; nil when nothing is expected.
    public static func citationsMatched(answer: String, citations: [EvalSource], expected: [String]) -> Double? {
        let sources = distinctSources(expected)
        guard !sources.isEmpty else { return nil }
        // An `[n]` marker names one of `citations`, which count already; only `[name.ext]` markers add.
        let markedNames = Set(
            AnswerText.citationMarkers(answer).compactMap { marker -> String? in
                if case .name(let name) = marker { return name.lowercased() }
                return nil
            })
        let matched = sources.filter { source in
            citations.contains { $0.matches(source) } || names(source).contains { markedNames.contains($0) }
        }.count
        return Double(matched) / Double(sources.count)
    }

    /// azure-search-openai-demo's `any_citation`: 1 when the answer cites anything, by a structured citation
    /// or a marker in its text.
    public static func anyCitation(answer: String, citations: [EvalSource]) -> Double {
        !citations.isEmpty || !AnswerText.citationMarkers(answer).isEmpty ? 1 : 0
    }

    /// Expected sources without blanks and without repeats (compared without case), first spelling kept.
    public static func distinctSources(_ expected: [String]) -> [String] {
        var seen: Set<String> = []
        var sources: [String] = []
        for source in expected {
            let trimmed = source.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty, seen.insert(trimmed.lowercased()).inserted else { continue }
            sources.append(trimmed)
        }
        return sources
    }

    /// The names a `[name.ext]` marker may use for an expected source: itself and its last path component.
    static func names(_ source: String) -> [String] {
        let lowered = source.lowercased()
        guard let last = lowered.split(separator: "/").last.map(String.init), last != lowered else { return [lowered] }
        return [lowered, last]
    }
}
