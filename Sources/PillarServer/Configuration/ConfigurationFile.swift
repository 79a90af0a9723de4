import Foundation
import Yams

/// Decodes the YAML file with the other layers' values put in, turning Codable's errors into ones that name the
/// key (and the variable or flag that set it, when one did).
enum ConfigurationFile {
    static func decode(path: String?, overrides: [ConfigurationLayers.Override] = []) throws -> PillarConfiguration {
        var text = ""
        if let path {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw ConfigurationError(key: path, "cannot be read")
            }
            text = String(decoding: contents, as: UTF8.self)
        }
        do {
            let root = try Yams.compose(yaml: text)
            if root == nil, overrides.isEmpty { return PillarConfiguration() }
            if !overrides.isEmpty {
                let tree = try ConfigurationLayers.apply(overrides, to: root ?? Node.mapping(Node.Mapping([])))
                text = try Yams.serialize(node: tree)
            }
            let configuration = try YAMLDecoder().decode(PillarConfiguration.self, from: text)
            try rejectUnread(text, decoded: configuration)
            return configuration
        } catch let error as DecodingError {
            let key = DecodingErrorDescription.path(of: error)
            let source = overrides.last {
                key == $0.path.joined(separator: ".") || key.hasPrefix($0.path.joined(separator: ".") + ".")
            }
            throw ConfigurationError(
                key: key, DecodingErrorDescription.problem(of: error) + (source.map { " (set by \($0.source))" } ?? ""))
        } catch let error as YamlError {
            throw ConfigurationError(key: path ?? "configuration", "is not valid YAML: \(error)")
        }
    }
}

extension ConfigurationFile {
    /// One check for every section, whatever decodes it: a key the file sets that the decoded configuration does
    /// not hold (written back out, it is missing) was not read, so it is a typo or a setting in the wrong place,
    /// never silently ignored (`limits.tenantDefault.tokensPerDya`). Every such key is reported at once.
    static func rejectUnread(_ text: String, decoded: PillarConfiguration) throws {
        guard let given = try Yams.load(yaml: text) else { return }
        let held = try JSONSerialization.jsonObject(with: JSONEncoder().encode(decoded))
        var unread: [String] = []
        collectUnread(given, held, path: "", into: &unread)
        var problems = ConfigurationProblems()
        for key in unread { problems.add(key: key, "is not a setting Pillar knows") }
        try problems.throwIfAny()
    }

    static func collectUnread(_ given: Any, _ held: Any?, path: String, into unread: inout [String], depth: Int = 0) {
        // A configuration is a shallow tree; a deeper one is data (a template, a flow) that is not walked.
        guard depth < 16 else { return }
        if let object = given as? [String: Any] {
            let heldObject = held as? [String: Any]
            for (key, value) in object.sorted(by: { $0.key < $1.key }) where !(value is NSNull) {
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let heldValue = heldObject?[key] else {
                    unread.append(child)
                    continue
                }
                collectUnread(value, heldValue, path: child, into: &unread, depth: depth + 1)
            }
        } else if let array = given as? [Any], let heldArray = held as? [Any], array.count == heldArray.count {
            for (index, value) in array.enumerated() {
                collectUnread(value, heldArray[index], path: "\(path)[\(index)]", into: &unread, depth: depth + 1)
            }
        }
    }
}

/// Says which field of a JSON or YAML document was wrong, and how, in words a person can act on.
public enum DecodingErrorDescription {
    public static func path(of error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        case .keyNotFound(let key, let context):
            path = context.codingPath + [key]
        @unknown default:
            path = []
        }
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
        return text.isEmpty ? "(document)" : text
    }

    public static func problem(of error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): return "has the wrong type: expected \(describe(type))"
        case .valueNotFound(let type, _): return "must not be null: expected \(describe(type))"
        case .keyNotFound: return "is required"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "is not valid JSON" : "is invalid: \(context.debugDescription)"
        @unknown default: return "is invalid"
        }
    }

    public static func message(for error: DecodingError) -> String {
        let path = path(of: error)
        let problem = problem(of: error)
        return path == "(document)" && problem == "is not valid JSON"
            ? "The request body is not valid JSON." : "'\(path)' \(problem)."
    }

    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "a boolean"
        case is [Any].Type: return "an array"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.contains("Dictionary") { return "an object" }
            return "an object"
        }
    }
}
