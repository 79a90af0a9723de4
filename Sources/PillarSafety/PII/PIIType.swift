/// The kinds of personal data the safety layer recognises.
public enum PIIType: String, Sendable, Hashable, Codable, CaseIterable {
    case email
    case phone
    case paymentCard = "payment_card"
    case iban
    case usSSN = "us_ssn"
    case ipAddress = "ip_address"
    case dateOfBirth = "date_of_birth"
    case streetAddress = "street_address"
    case credential
    case personName = "person_name"

    /// Upper-case tag used in placeholders and pseudonyms, e.g. `PAYMENT_CARD`.
    public var tag: String { rawValue.uppercased() }

    /// Replacement used by `PIIAction.redact`, e.g. `[EMAIL]`.
    public var placeholder: String { "[\(tag)]" }

    /// Structured types have a fixed syntax (often with a checksum); the rest need context.
    public var isStructured: Bool {
        switch self {
        case .email, .phone, .paymentCard, .iban, .usSSN, .ipAddress, .credential: true
        case .dateOfBirth, .streetAddress, .personName: false
        }
    }
}
