import Hummingbird
import PillarCore

/// Integer query parameters: a default when absent, a 400 naming the parameter when not a number in range.
enum QueryInteger {
    static func parse(_ text: String?, name: String, default value: Int, range: ClosedRange<Int>) throws(PillarError) -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw .invalidRequest("'\(name)' must be an integer \(range.lowerBound)-\(range.upperBound)", param: name)
        }
        return number
    }

    /// The `limit` of list routes: 1-1000, 100 when absent.
    static func limit(of request: Request) throws(PillarError) -> Int {
        try parse(request.uri.queryParameters.get("limit"), name: "limit", default: 100, range: 1...1000)
    }
}
