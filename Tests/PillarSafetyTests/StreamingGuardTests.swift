import Testing

@testable import PillarSafety

@Suite("Streaming content guard")
struct StreamingGuardTests {
    static let thresholds: [HarmCategory: Severity] = [.violence: .medium, .hate: .medium, .sexual: .medium, .selfHarm: .medium]

    /// The batching mode (checks at boundaries and every `window` characters), which these tests pin down.
    func makeGuard(window: Int = 400) -> StreamingContentGuard {
        StreamingContentGuard(
            classifier: BuiltInContentFilter(), thresholds: Self.thresholds, window: window,
            checkEveryDelta: false)
    }

    /// The default checks every delta, so a caller that sends each passed delta at once never sends the one that
    /// completes a harmful phrase.
    @Test func byDefaultTheDeltaThatCompletesAPhraseIsBlocked() {
        var g = StreamingContentGuard(classifier: BuiltInContentFilter(), thresholds: Self.thresholds)
        let deltas = ["Sure, here it is. I wi", "ll ki", "ll y", "ou tomorrow", " at noon."]
        let decisions = deltas.map { g.feed($0) }
        let first = decisions.firstIndex { $0.isBlocked }
        #expect(first != nil && first! < deltas.count - 1, "\(decisions.map(\.isBlocked))")
    }

    @Test func phraseSplitAcrossDeltasIsCaught() {
        var g = makeGuard()
        let deltas = ["Sure, here it is. I wi", "ll ki", "ll y", "ou tomorrow", " at noon."]
        var decisions: [StreamDecision] = []
        for d in deltas { decisions.append(g.feed(d)) }
        #expect(decisions.dropLast().allSatisfy { !$0.isBlocked })
        guard case .block(let categories, let verdict) = decisions.last else {
            Issue.record("expected a block, got \(decisions)")
            return
        }
        #expect(categories == [.violence])
        #expect(verdict.severity(.violence) == .high)
        // Once blocked, stays blocked.
        #expect(g.feed("more text").isBlocked)
        #expect(g.finish().isBlocked)
    }

    @Test func phraseSplitAcrossACheckPointIsCaught() {
        var g = makeGuard()
        // The comma triggers a check while the phrase is incomplete; the overlap window still sees it whole.
        #expect(g.feed("Well, I am going to") == .pass)
        #expect(g.feed(" kill you") == .pass)
        #expect(g.feed(".").isBlocked)
    }

    @Test func benignLongTextPasses() {
        var g = makeGuard(window: 120)
        let sentence =
            "To stop the server, kill the process and restart the job; this bug is killing me, but we'll shoot a photo of the dashboard later. "
        for _ in 0..<200 {
            for chunk in sentence.split(separator: " ", omittingEmptySubsequences: false) {
                #expect(g.feed(chunk + " ") == .pass)
            }
        }
        #expect(g.finish() == .pass)
        #expect(g.charactersSeen > 20_000)
    }

    @Test func finishCatchesTheTail() {
        var g = makeGuard()
        #expect(g.feed("Here is my answer") == .pass)
        #expect(g.feed(" I want to kill myself") == .pass)  // no boundary yet, below window
        let d = g.finish()
        guard case .block(let categories, _) = d else {
            Issue.record("expected block at finish, got \(d)")
            return
        }
        #expect(categories == [.selfHarm])
    }

    @Test func windowForcesACheckWithoutPunctuation() {
        var g = makeGuard(window: 64)
        var blocked = false
        let words =
            (Array(repeating: "word", count: 20) + ["how", "to", "make", "a", "pipe", "bomb"]
                + Array(repeating: "word", count: 20))
        for w in words where g.feed(w + " ").isBlocked {
            blocked = true
            break
        }
        #expect(blocked)
    }

    @Test func blocklistHitBlocksWhenThresholdSet() {
        var g = StreamingContentGuard(
            classifier: BuiltInContentFilter(blocklist: ["project falcon"]), thresholds: [.blocklist: .high])
        #expect(g.feed("The codename is Project Fal") == .pass)
        #expect(g.feed("con.").isBlocked)
    }
}
