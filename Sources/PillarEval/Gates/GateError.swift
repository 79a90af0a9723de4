/// Why a gate requirement could not be read or checked: `code` for machines (`invalid_requirement`,
/// `unknown_metric`), `message` for people.
public struct GateError: Error, Sendable, Hashable, Codable {
    public var code: String
    public var message: String
    /// The clause at fault, as written.
    public var clause: String?
    /// Its 1-based position among the `;`-separated clauses.
    public var position: Int?
    /// What the parser expected where it stopped.
    public var expected: String?

    public init(code: String, message: String, clause: String? = nil, position: Int? = nil, expected: String? = nil) {
        self.code = code
        self.message = message
        self.clause = clause
        self.position = position
        self.expected = expected
    }

    static func invalidRequirement(clause: String, position: Int, expected: String) -> GateError {
        GateError(
            code: "invalid_requirement", message: "clause \(position) `\(clause)`: expected \(expected)",
            clause: clause, position: position, expected: expected)
    }

    static func invalidRequirement(_ message: String) -> GateError {
        GateError(code: "invalid_requirement", message: message)
    }

    static func unknownMetric(_ name: String, clause: String, position: Int, known: [String]) -> GateError {
        let listing = known.isEmpty ? "none" : known.joined(separator: ", ")
        return GateError(
            code: "unknown_metric",
            message: "clause \(position) `\(clause)` names the metric `\(name)`, which the comparison "
                + "does not have; it has: \(listing)",
            clause: clause, position: position)
    }
}
