import Foundation
import PillarCore

/// A reference such as `inputs.question`, `retrieve.chunks` or `lookup.output.items.0.name`.
public struct FlowReference: Sendable, Hashable, CustomStringConvertible {
    /// `inputs` or a node name.
    public var root: String
    /// Object keys or array indices below the root.
    public var path: [String]

    public init(root: String, path: [String] = []) {
        self.root = root
        self.path = path
    }

    public var description: String {
        ([root] + path).joined(separator: ".")
    }

    /// True when the root is the flow's inputs rather than a node.
    public var isInput: Bool { root == FlowReference.inputsRoot }

    public static let inputsRoot = "inputs"

    /// Parses `a.b.c`; nil with a reason when malformed.
    static func parse(_ text: String) -> Result<FlowReference, FlowExpressionError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return .failure(.init("empty reference")) }
        let components = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard let root = components.first, isIdentifier(root) else {
            return .failure(.init("invalid reference '\(trimmed)': it must start with 'inputs' or a node name"))
        }
        for component in components.dropFirst() where !isPathComponent(component) {
            return .failure(.init("invalid reference '\(trimmed)': bad path component '\(component)'"))
        }
        return .success(FlowReference(root: root, path: Array(components.dropFirst())))
    }

    /// Parses the inside of `${...}`: one or more references separated by `||`.
    static func parseAlternatives(_ text: String) -> Result<[FlowReference], FlowExpressionError> {
        var result: [FlowReference] = []
        for piece in text.components(separatedBy: "||") {
            switch parse(piece) {
            case .success(let reference): result.append(reference)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(result)
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    static func isPathComponent(_ text: String) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy { $0 == "_" || $0 == "-" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }
}

/// A malformed `${...}` expression or condition.
struct FlowExpressionError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

extension [FlowReference] {
    /// `a.output || b.output`
    var alternativesDescription: String { map(\.description).joined(separator: " || ") }

    /// The first alternative that resolves to a non-null value, else null.
    func resolveFirst(_ resolve: (FlowReference) -> JSONValue?) -> JSONValue {
        for reference in self {
            if let value = resolve(reference), value != .null { return value }
        }
        return .null
    }
}
