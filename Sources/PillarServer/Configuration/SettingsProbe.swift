/// Lists every setting a configuration type's decoders read, by running them against a decoder that holds no
/// values and writes down each key it is asked for. The list is what the environment, argument and secret-file
/// layers can set, so it cannot drift from what the YAML file accepts: a setting added to a decoder is settable
/// everywhere at once.
///
/// A setting is a leaf: a scalar, a list or a map (`limits.tenants`), given whole. A section (a struct whose
/// decoder asks for its own named keys) is walked into instead.
enum SettingsProbe {
    struct Setting: Sendable, Hashable {
        let path: [String]
        /// Its value is text (a `String`), to be taken as given rather than read as YAML.
        let isText: Bool
    }

    static func probe<T: Decodable>(_ type: T.Type) -> [Setting] {
        let recorder = Recorder()
        _ = try? T(from: ProbeDecoder(recorder: recorder, codingPath: [], visit: Visit()))
        var seen = Set<[String]>()
        return recorder.settings.filter { seen.insert($0.path).inserted }
    }

    /// What the probe found. Used from one thread, during one synchronous probe.
    final class Recorder {
        var settings: [Setting] = []
    }

    /// Whether a value's decoder asked for named fields (a section) or not (a leaf).
    final class Visit {
        var isSection = false
    }

    /// Thrown where a leaf's decoder asks for its value: there is none to give, and none is needed.
    struct LeafReached: Error {}

    /// Bounds the walk: configuration sections nest a few levels, never this deep.
    static let maximumDepth = 12

    struct ProbeDecoder: Decoder {
        let recorder: Recorder
        let codingPath: [any CodingKey]
        let visit: Visit
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            // Sections name their keys in a CaseIterable enum; a map's keys (String) are not.
            if Key.self is any CaseIterable.Type { visit.isSection = true }
            return KeyedDecodingContainer(ProbeContainer<Key>(recorder: recorder, codingPath: codingPath))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw LeafReached() }
        func singleValueContainer() throws -> any SingleValueDecodingContainer { throw LeafReached() }
    }

    struct ProbeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: Recorder
        let codingPath: [any CodingKey]
        var allKeys: [Key] { [] }

        // Every key is there and not null, so that a decoder that looks before it reads (`contains`, to tell an
        // explicit null from an absent key) still reads it.
        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { false }

        /// Records a leaf, or walks into a section and returns the section its decoder built from nothing.
        func probe<T: Decodable>(_ type: T.Type, forKey key: Key) -> T? {
            let path = codingPath + [key]
            guard path.count <= SettingsProbe.maximumDepth else { return nil }
            let visit = Visit()
            let before = recorder.settings.count
            let value = try? T(from: ProbeDecoder(recorder: recorder, codingPath: path, visit: visit))
            // A section names its keys, or (decoded by synthesised code) at least reads some of them.
            if visit.isSection || recorder.settings.count > before { return value }
            recorder.settings.append(Setting(path: path.map(\.stringValue), isText: T.self == String.self))
            return nil
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            _ = probe(type, forKey: key)
            return nil
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            if let value = probe(type, forKey: key) { return value }
            if T.self == String.self || T.self == Int.self || T.self == Double.self || T.self == Bool.self {
                return try decode(type, key)
            }
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "probed"))
        }

        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { probe(type, forKey: key) }
        func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { probe(type, forKey: key) }

        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decode(type, key) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decode(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decode(type, key) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decode(type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decode(type, key) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decode(type, key) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decode(type, key) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decode(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decode(type, key) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decode(type, key) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decode(type, key) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decode(type, key) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decode(type, key) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decode(type, key) }

        /// A required scalar: recorded, and given a stand-in so that the section's decoder goes on to its
        /// other keys (`server.tls` requires `certificateFile` before it reads `keyFile`).
        private func decode<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
            _ = probe(type, forKey: key)
            switch type {
            case is String.Type: return "" as! T
            case is Bool.Type: return false as! T
            case is Double.Type: return 0.0 as! T
            case is Float.Type: return Float(0) as! T
            case is Int.Type: return 0 as! T
            default: throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "probed"))
            }
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            throw LeafReached()
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw LeafReached() }
        func superDecoder() throws -> any Decoder { throw LeafReached() }
        func superDecoder(forKey key: Key) throws -> any Decoder { throw LeafReached() }
    }
}
