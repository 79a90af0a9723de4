import Foundation

/// Decision for a chunk of streamed output.
public enum StreamDecision: Sendable, Hashable {
    case pass
    case block(categories: [HarmCategory], verdict: ContentVerdict)

    public var isBlocked: Bool {
        if case .block = self { return true }
        return false
    }
}

/// Incremental content filtering for streamed model output.
///
/// With `checkEveryDelta` (the default, for callers that send each delta on as soon as it passes) every delta is
/// checked before it may be sent; otherwise the buffer is classified whenever it contains a sentence or clause
/// boundary, and at least every `window` characters. Each check covers the not-yet-checked text plus the last
/// `window` characters already checked, so a phrase split across deltas or across a check point is still seen
/// whole. Once blocked, the guard stays blocked.
public struct StreamingContentGuard: Sendable {
    public let classifier: BuiltInContentFilter
    public let thresholds: [HarmCategory: Severity]
    public let window: Int
    public let checkEveryDelta: Bool
    /// Unchecked text is checked once it is this long, even without a boundary.
    public let holdCharacters: Int
    /// …or once this long has passed since the last check, so a slow stream is never held back.
    public let checkInterval: Duration
    private var lastCheck: ContinuousClock.Instant?

    private var pending = ""
    private var pendingCount = 0
    private var tail = ""
    private var blocked: StreamDecision?
    /// Total characters fed so far.
    public private(set) var charactersSeen = 0
    /// Whether some fed text has not been checked yet: a caller holding deltas back may release them once this is
    /// false (every released character then was checked).
    public var hasUncheckedText: Bool { pendingCount > 0 }

    public init(
        classifier: BuiltInContentFilter, thresholds: [HarmCategory: Severity], window: Int = 400,
        checkEveryDelta: Bool = true, holdCharacters: Int? = nil, checkInterval: Duration = .seconds(3600)
    ) {
        self.classifier = classifier
        self.thresholds = thresholds
        self.window = max(window, 32)
        self.checkEveryDelta = checkEveryDelta
        self.holdCharacters = max(1, holdCharacters ?? self.window)
        self.checkInterval = checkInterval
    }

    /// Feed one streamed delta. Returns `.block` as soon as the text seen so far exceeds a threshold.
    public mutating func feed(_ delta: String) -> StreamDecision {
        if let blocked { return blocked }
        guard !delta.isEmpty else { return .pass }
        pending += delta
        let n = delta.count
        pendingCount += n
        charactersSeen += n
        let due = lastCheck.map { ContinuousClock.now - $0 >= checkInterval } ?? true
        if checkEveryDelta || due || pendingCount >= holdCharacters || delta.contains(where: Self.isBoundary) {
            return check()
        }
        return .pass
    }

    /// Checks whatever is still buffered (call when the stream ends).
    public mutating func finish() -> StreamDecision {
        if let blocked { return blocked }
        guard pendingCount > 0 else { return .pass }
        return check()
    }

    static func isBoundary(_ c: Character) -> Bool {
        switch c {
        case ".", "!", "?", ";", ":", ",", "\n", "。", "！", "？", "…": return true
        default: return false
        }
    }

    private mutating func check() -> StreamDecision {
        lastCheck = .now
        let text = tail + pending
        let verdict = classifier.classifySync(text)
        let hit = verdict.exceeds(thresholds)
        if !hit.isEmpty {
            let decision = StreamDecision.block(categories: hit, verdict: verdict)
            blocked = decision
            return decision
        }
        tail = String(text.suffix(window))
        pending = ""
        pendingCount = 0
        return .pass
    }
}
