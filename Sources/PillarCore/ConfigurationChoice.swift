/// A setting that takes one of a few words (`localModel.mode: auto`). Decoding one that is not a choice says which
/// words are, so that a typo in a configuration file is an error that shows the fix, never a fallback.
public protocol ConfigurationChoice: RawRepresentable<String>, CaseIterable, Codable, Sendable, Hashable {}

extension ConfigurationChoice {
    /// The choices in words: `auto, on or off`.
    public static var choices: String {
        let names = allCases.map(\.rawValue)
        guard let last = names.last, names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + " or " + last
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let word = try container.decode(String.self)
        guard let value = Self(rawValue: word) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be \(Self.choices), got '\(word)'")
        }
        self = value
    }
}
