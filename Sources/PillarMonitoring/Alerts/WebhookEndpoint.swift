/// One configured webhook receiver.
public struct WebhookEndpoint: Sendable, Hashable {
    /// Operator-facing name; the only identifier that appears in logs (URLs of chat webhooks
    /// often embed a token, so the URL is treated as sensitive like the secret).
    public var name: String
    public var url: String
    /// HMAC key; when nil, requests are sent unsigned.
    public var secret: [UInt8]?
    /// Kinds this endpoint receives; nil means every kind.
    public var events: Set<AlertEvent.Kind>?
    /// Per-request timeout handed to the transport.
    public var timeout: Duration
    /// Total attempts per event, including the first; at least 1.
    public var maxAttempts: Int

    public init(
        name: String,
        url: String,
        secret: [UInt8]? = nil,
        events: Set<AlertEvent.Kind>? = nil,
        timeout: Duration = .seconds(10),
        maxAttempts: Int = 5
    ) {
        self.name = name
        self.url = url
        self.secret = secret
        self.events = events
        self.timeout = timeout
        // Zero or negative attempts would silently never deliver; treat as "try once".
        self.maxAttempts = max(1, maxAttempts)
    }

    public func wants(_ kind: AlertEvent.Kind) -> Bool {
        events?.contains(kind) ?? true
    }
}

extension WebhookEndpoint: CustomStringConvertible {
    /// Redacts the URL and secret so that interpolating an endpoint into a log line is safe.
    public var description: String {
        let kinds = events.map { $0.map(\.rawValue).sorted().joined(separator: ",") } ?? "all"
        return "WebhookEndpoint(name: \(name), events: \(kinds), signed: \(secret != nil), "
            + "timeout: \(timeout), maxAttempts: \(maxAttempts))"
    }
}
