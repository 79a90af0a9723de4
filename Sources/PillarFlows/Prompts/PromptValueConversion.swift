import PillarCore

/// Converts `JSONValue`s into the plain Swift values swift-mustache renders.
enum PromptValueConversion {
    /// The render context for a set of top-level values; `null` values are left out.
    static func context(_ values: [String: JSONValue]) -> [String: Any] {
        var result: [String: Any] = [:]
        for (key, value) in values {
            if let converted = convert(value) { result[key] = converted }
        }
        return result
    }

    /// `nil` for `.null` (the key or element is omitted). Integral numbers become `Int`
    /// so they render as `3`, not `3.0`.
    static func convert(_ value: JSONValue) -> Any? {
        switch value {
        case .null:
            return nil
        case .bool(let bool):
            return bool
        case .number(let number):
            if let integer = JSONValue.exactInteger(number) { return Int(integer) }
            return number
        case .string(let string):
            return string
        case .array(let array):
            return array.compactMap { convert($0) } as [Any]
        case .object(let object):
            return context(object)
        }
    }
}
