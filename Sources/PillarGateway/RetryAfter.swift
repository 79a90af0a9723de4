import Foundation
import NIOHTTP1

/// Reads how long an upstream asks us to wait: `retry-after-ms`, `x-ms-retry-after-ms`, or `Retry-After`
/// in seconds or as an HTTP date. Rounded up to whole seconds, as Pillar's own `Retry-After` is.
public enum RetryAfter {
    /// The wait asked for, to the millisecond when the upstream gave milliseconds.
    public static func duration(from headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
            if let value = headers.first(name: name).flatMap(Double.init), value >= 0, value < 1e10 {
                return .milliseconds(Int64(value.rounded(.up)))
            }
        }
        guard let value = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces),
            let seconds = seconds(fromHeaderValue: value, now: now)
        else { return nil }
        return .seconds(seconds)
    }

    public static func seconds(from headers: HTTPHeaders, now: Date = Date()) -> Int? {
        duration(from: headers, now: now).map(wholeSeconds)
    }

    /// Rounded up, as a `Retry-After` header carries it.
    public static func wholeSeconds(_ duration: Duration) -> Int {
        Int(duration.seconds.rounded(.up))
    }

    public static func seconds(fromHeaderValue value: String, now: Date = Date()) -> Int? {
        if let seconds = Double(value), seconds >= 0, seconds < 1e9 { return Int(seconds.rounded(.up)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(0, Int(date.timeIntervalSince(now).rounded(.up)))
    }
}
