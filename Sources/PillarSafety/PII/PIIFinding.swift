/// One piece of personal data found in a text.
public struct PIIFinding: Sendable, Hashable {
    public var type: PIIType
    /// Range in the text that was scanned.
    public var range: Range<String.Index>
    /// 0...1
    public var confidence: Double
    /// Name of the recognizer that produced the finding, e.g. `credential.jwt`.
    public var recognizer: String

    public init(type: PIIType, range: Range<String.Index>, confidence: Double, recognizer: String) {
        self.type = type
        self.range = range
        self.confidence = min(max(confidence, 0), 1)
        self.recognizer = recognizer
    }
}

/// Finds one type of personal data in a text.
public protocol PIIRecognizer: Sendable {
    var name: String { get }
    var type: PIIType { get }
    func findings(in text: String) -> [PIIFinding]
}
