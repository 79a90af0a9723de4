/// Runs a set of recognizers and merges their findings.
public struct PIIDetector: Sendable {
    public let recognizers: [any PIIRecognizer]
    public let minimumConfidence: Double

    /// Every built-in recognizer.
    public static let standard = PIIDetector(recognizers: [
        EmailRecognizer(),
        PhoneRecognizer(),
        PaymentCardRecognizer(),
        IBANRecognizer(),
        USSSNRecognizer(),
        IPAddressRecognizer(),
        DateOfBirthRecognizer(),
        StreetAddressRecognizer(),
        CredentialRecognizer(),
        PersonNameRecognizer(),
    ])

    public init(recognizers: [any PIIRecognizer], minimumConfidence: Double = 0.5) {
        self.recognizers = recognizers
        self.minimumConfidence = minimumConfidence
    }

    /// Non-overlapping findings sorted by position: on overlap the higher confidence wins, then the longer span.
    public func findings(in text: String, types: Set<PIIType> = Set(PIIType.allCases)) -> [PIIFinding] {
        guard !text.isEmpty else { return [] }
        var candidates: [PIIFinding] = []
        for recognizer in recognizers where types.contains(recognizer.type) {
            for finding in recognizer.findings(in: text)
            where finding.confidence >= minimumConfidence && types.contains(finding.type) && !finding.range.isEmpty {
                candidates.append(finding)
            }
        }
        return Self.resolveOverlaps(candidates, in: text)
    }

    /// Greedy selection: best first (confidence, then length, then earlier start), dropping anything that overlaps.
    static func resolveOverlaps(_ findings: [PIIFinding], in text: String) -> [PIIFinding] {
        guard findings.count > 1 else { return findings }
        let ranked = findings.map { finding in
            (finding, text.distance(from: finding.range.lowerBound, to: finding.range.upperBound))
        }.sorted { lhs, rhs in
            if lhs.0.confidence != rhs.0.confidence { return lhs.0.confidence > rhs.0.confidence }
            if lhs.1 != rhs.1 { return lhs.1 > rhs.1 }
            return lhs.0.range.lowerBound < rhs.0.range.lowerBound
        }
        var kept: [PIIFinding] = []
        for (finding, _) in ranked where !kept.contains(where: { $0.range.overlaps(finding.range) }) {
            kept.append(finding)
        }
        return kept.sorted { $0.range.lowerBound < $1.range.lowerBound }
    }
}
