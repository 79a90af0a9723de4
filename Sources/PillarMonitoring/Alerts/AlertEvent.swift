import Foundation

/// One alert produced by the monitor or canary loops, ready to be logged and posted to webhooks.
public struct AlertEvent: Sendable, Hashable, Codable {
    /// What happened. The raw value is the `event` field of the body and the `X-Pillar-Event`
    /// header, so receivers can route on it; raw values are part of the wire contract.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case monitorState = "monitor.state"
        case canaryPromoted = "canary.promoted"
        case canaryRolledBack = "canary.rolled_back"
        case canaryPaused = "canary.paused"
        case decay = "decay.alert"
        case isolationLeak = "isolation.leak"
        case test = "test"
    }

    /// Unique per event; sent as `X-Pillar-Delivery` so receivers can drop retried duplicates.
    public var id: String
    public var kind: Kind
    /// Identifies "the same alert" (e.g. one monitor's state) for dispatcher-side deduplication.
    public var dedupKey: String
    public var tenant: String
    public var occurredAt: Date
    public var severity: String
    public var summary: String
    public var details: [String: String]

    public init(
        id: String,
        kind: Kind,
        dedupKey: String,
        tenant: String,
        occurredAt: Date,
        severity: String,
        summary: String,
        details: [String: String]
    ) {
        self.id = id
        self.kind = kind
        self.dedupKey = dedupKey
        self.tenant = tenant
        self.occurredAt = occurredAt
        self.severity = severity
        self.summary = summary
        self.details = details
    }

    /// The JSON body posted to webhooks:
    /// `{"details","event","id","occurred_at","severity","summary","tenant"}`.
    ///
    /// Keys are sorted so the bytes are deterministic: the signature covers these exact bytes,
    /// and stable output makes receivers' and tests' comparisons straightforward.
    /// `dedupKey` is deliberately not sent; it is an internal grouping detail.
    public func body() -> [UInt8] {
        let payload = WirePayload(
            id: id,
            event: kind.rawValue,
            tenant: tenant,
            occurredAt: occurredAt.formatted(Self.timestampStyle),
            severity: severity,
            summary: summary,
            details: details
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(payload))
        } catch {
            // The payload holds only strings and a [String: String]; encoding it cannot fail.
            preconditionFailure("AlertEvent body encoding failed: \(error)")
        }
    }

    /// ISO 8601 in UTC with milliseconds, e.g. `2024-05-06T07:08:09.123Z`.
    /// A format style (unlike ISO8601DateFormatter) is Sendable, so it can be shared statically.
    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// The wire shape, kept separate from `AlertEvent`'s own Codable form (which is for persistence
    /// and uses Swift property names and `Date`'s default encoding).
    private struct WirePayload: Encodable {
        var id: String
        var event: String
        var tenant: String
        var occurredAt: String
        var severity: String
        var summary: String
        var details: [String: String]

        enum CodingKeys: String, CodingKey {
            case id, event, tenant, severity, summary, details
            case occurredAt = "occurred_at"
        }
    }
}
