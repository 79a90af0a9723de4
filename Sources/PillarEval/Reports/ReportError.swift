/// Why a report could not be written.
public struct ReportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Machine-readable: `report.non_finite_number`, `report.unencodable`.
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}
