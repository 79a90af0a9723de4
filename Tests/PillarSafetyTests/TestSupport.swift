@testable import PillarSafety

/// Values (as substrings) that `recognizer` reports at or above the detector's default threshold.
func values(_ recognizer: any PIIRecognizer, in text: String, minimum: Double = 0.5) -> [String] {
    PIIDetector(recognizers: [recognizer], minimumConfidence: minimum).findings(in: text).map { String(text[$0.range]) }
}
