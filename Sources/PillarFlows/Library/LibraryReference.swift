import PillarCore

/// How a flow or a request names a prompt or flow: `name` (the caller's label, else `production`),
/// `name@label`, or `name@3` for a pinned version.
public struct LibraryReference: Sendable, Hashable, CustomStringConvertible {
    public enum Selector: Sendable, Hashable {
        case label(String)
        case version(Int)
        /// No label given: the run's label, falling back to `production` when the name lacks it.
        case inherited
    }

    public var name: String
    public var selector: Selector

    public init(name: String, selector: Selector) {
        self.name = name
        self.selector = selector
    }

    public init(parsing text: String) throws(PillarError) {
        let parts = text.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        try Self.validate(name: parts[0])
        name = parts[0]
        if parts.count == 1 {
            selector = .inherited
        } else if let version = Int(parts[1]), version >= 1 {
            selector = .version(version)
        } else {
            try Self.validate(label: parts[1])
            selector = .label(parts[1])
        }
    }

    public var description: String {
        switch selector {
        case .inherited: name
        case .label(let label): "\(name)@\(label)"
        case .version(let version): "\(name)@\(version)"
        }
    }

    static func matches(_ text: String, maxLength: Int) -> Bool {
        guard let first = text.unicodeScalars.first, text.unicodeScalars.count <= maxLength,
            ("a"..."z").contains(first) || ("0"..."9").contains(first)
        else { return false }
        return text.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)
        }
    }

    public static func validate(name: String) throws(PillarError) {
        guard matches(name, maxLength: 64) else {
            throw PillarError.invalidRequest(
                "A name is 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit; got '\(name.prefix(80))'.",
                param: "name")
        }
    }

    public static func validate(label: String) throws(PillarError) {
        guard matches(label, maxLength: 32), Int(label) == nil else {
            throw PillarError.invalidRequest(
                "A label is 1 to 32 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit, and not a number; got '\(label.prefix(80))'.",
                param: "label")
        }
    }
}
