import PillarCore

/// The simulator's quality mode: a share of its RAG answers made bad on purpose, so that production
/// monitoring and canary analysis can be tested against a model that got worse. Which answers are spoiled
/// follows a hash of the question, so a question is always answered the same way.
public struct SimulatedQuality: Sendable, Hashable {
    /// Confident and cited, but not what the sources say.
    public var wrong: Double
    /// Plausible, uncited, not from the sources.
    public var ungrounded: Double
    /// Declines to answer.
    public var refusing: Double

    public init(wrong: Double = 0, ungrounded: Double = 0, refusing: Double = 0) {
        self.wrong = wrong
        self.ungrounded = ungrounded
        self.refusing = refusing
    }

    static let wrongAnswer = "Records from 1823 show the committee moved it to Lisbon after the third harbour vote"
    static let ungroundedAnswer = "Most historians consider this widely accepted, although estimates vary by region."
    static let refusal = "I am unable to answer that question."

    /// `wrong=0.3,ungrounded=0.1,refusing=0.05`; each share 0-1, together at most 1.
    public init(parsing text: String) throws(PillarError) {
        self.init()
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, let share = Double(pair[1]), share.isFinite, (0...1).contains(share) else {
                throw .invalidRequest(
                    "quality must read like wrong=0.3,ungrounded=0.1,refusing=0.05 (shares 0-1)",
                    param: "x-sim-quality")
            }
            switch pair[0] {
            case "wrong": wrong = share
            case "ungrounded": ungrounded = share
            case "refusing", "refuse": refusing = share
            default:
                throw .invalidRequest("quality knows wrong, ungrounded and refusing, not '\(pair[0])'", param: "x-sim-quality")
            }
        }
        guard wrong + ungrounded + refusing <= 1 + 1e-9 else {
            throw .invalidRequest("the quality shares add up to more than 1", param: "x-sim-quality")
        }
    }

    /// The answer given instead of `answer` to `question`, or `answer` itself.
    func spoil(_ answer: String, question: String) -> String {
        let position = Self.position(of: question)
        if position < wrong { return Self.wrongAnswer + " [1]" }
        if position < wrong + ungrounded { return Self.ungroundedAnswer }
        if position < wrong + ungrounded + refusing { return Self.refusal }
        return answer
    }

    /// FNV-1a of the question onto [0, 1).
    static func position(of text: String) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Double(hash >> 11) / Double(UInt64(1) << 53)
    }
}
