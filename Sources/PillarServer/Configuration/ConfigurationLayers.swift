import Configuration
import Foundation
import SystemPackage
import Yams

/// The layers over the YAML file, strongest first: command-line arguments, environment variables, and files in
/// a secrets directory, read through swift-configuration's providers. One rule names a setting in every layer:
/// its key path, spelt the layer's way.
///
/// | setting                  | argument                    | environment                   | file in the secrets directory |
/// | ------------------------ | --------------------------- | ----------------------------- | ----------------------------- |
/// | `server.port`            | `--server-port 9000`        | `PILLAR_SERVER_PORT=9000`     | `server-port`                 |
/// | `localModel.mode`        | `--local-model-mode off`    | `PILLAR_LOCAL_MODEL_MODE=off` | `local-model-mode`            |
///
/// A value is read as YAML, so a list or a map is given in YAML's flow form (`[a, b]`, `{acme: {tokensPerDay: 9}}`).
/// The settings are the ones the decoders read (`SettingsProbe`), so a layer can set exactly what the file can,
/// and a name in a layer that is no setting is an error, as an unknown key in the file is.
struct ConfigurationLayers {
    /// One value a layer gives.
    struct Override {
        let path: [String]
        let value: String
        /// A text setting takes the value as it is; any other reads it as YAML.
        let isText: Bool
        /// Where it came from, in that layer's spelling (`PILLAR_SERVER_PORT`), for error messages.
        let source: String
    }

    static let probed = SettingsProbe.probe(PillarConfiguration.self)
    static let settings = probed.map(\.path)
    static let sections = PillarConfiguration.CodingKeys.allCases.map(\.stringValue)

    /// The names of 0.x, before every setting had one: a start with one of them says what it is called now.
    static let renamed: [String: String] = [
        "PILLAR_HOST": "PILLAR_SERVER_HOST", "PILLAR_PORT": "PILLAR_SERVER_PORT",
        "PILLAR_DATA_DIR": "PILLAR_SERVER_DATA_DIRECTORY", "PILLAR_MAX_BODY_BYTES": "PILLAR_SERVER_MAX_BODY_BYTES",
        "PILLAR_LOG_FORMAT": "PILLAR_SERVER_LOG_FORMAT", "PILLAR_LOG_LEVEL": "PILLAR_SERVER_LOG_LEVEL",
        "PILLAR_METRICS_PORT": "PILLAR_SERVER_METRICS_PORT", "PILLAR_LOCAL_MODEL": "PILLAR_LOCAL_MODEL_MODE",
        "PILLAR_LLAMA_SERVER": "PILLAR_LOCAL_MODEL_SERVER_PATH",
        "PILLAR_LOCAL_MODEL_PATH": "PILLAR_LOCAL_MODEL_MODEL_PATH",
        "PILLAR_LOCAL_EMBEDDER": "PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODE",
        "PILLAR_EMBEDDING_MODEL_PATH": "PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODEL_PATH",
    ]

    private let arguments: CommandLineArgumentsProvider
    private let argumentWords: [String]
    private let environment: EnvironmentVariablesProvider
    private let environmentNames: [String]
    private let secrets: DirectoryFilesProvider?

    /// - Parameters:
    ///   - arguments: settings given as flags (`--server-port 9000`), without the program's own options.
    ///   - secretsDirectory: a directory of one file per setting (a mounted secret); nil reads none.
    init(arguments: [String], environment: [String: String], secretsDirectory: String?) async throws {
        self.arguments = CommandLineArgumentsProvider(arguments: ["pillar"] + arguments)
        argumentWords = arguments
        self.environment = EnvironmentVariablesProvider(environmentVariables: environment)
        environmentNames = Array(environment.keys)
        if let secretsDirectory {
            do {
                secrets = try await DirectoryFilesProvider(directoryPath: FilePath(secretsDirectory))
            } catch {
                throw ConfigurationError(key: secretsDirectory, "cannot be read as a secrets directory: \(error)")
            }
        } else {
            secrets = nil
        }
    }

    /// Every value the layers give, the strongest layer's for each setting.
    func overrides() throws -> [Override] {
        var found: [Override] = []
        for setting in Self.probed {
            let path = setting.path
            let kebab = AbsoluteConfigKey(path.map(Self.kebab))
            // The argument parser splits a value at its commas; joined again, the value is the one given
            // (`--flows-allowed-hosts '[a, b]'`). A flag with no value is `true`.
            let flag = try arguments.value(forKey: kebab, type: .stringArray)
            let variable = try environment.value(forKey: AbsoluteConfigKey(["pillar"] + path), type: .string)
            let file = try secrets?.value(forKey: kebab, type: .string)
            for result in [flag, variable, file].compactMap({ $0 }) {
                let text: String
                switch result.value?.content {
                case .string(let value): text = value
                case .stringArray(let parts): text = parts.isEmpty ? "true" : parts.joined(separator: ",")
                default: continue
                }
                found.append(Override(path: path, value: text, isText: setting.isText, source: result.encodedKey))
                break
            }
        }
        return found
    }

    /// A flag that is no setting, or a `PILLAR_<SECTION>…` variable that is none, is a typo: never ignored.
    /// `referenced`: variables the configuration names itself (a deployment's `apiKeyEnv`, a webhook's
    /// `secretEnv`), which may be called anything, `PILLAR_AZURE_KEY` included. Files in the secrets directory
    /// that name no setting are left alone: the directory may hold the secrets those settings point at.
    func rejectUnknown(referenced: Set<String>) throws {
        var knownFlags = Set<String>()
        var knownVariables = Set<String>()
        for path in Self.settings {
            let kebab = AbsoluteConfigKey(path.map(Self.kebab))
            knownFlags.insert(try arguments.value(forKey: kebab, type: .stringArray).encodedKey)
            knownVariables.insert(try environment.value(forKey: AbsoluteConfigKey(["pillar"] + path), type: .string).encodedKey)
        }
        knownVariables.formUnion(referenced)
        var problems = ConfigurationProblems()
        var expectsValue = false
        for word in argumentWords {
            guard word.hasPrefix("--") else {
                // One value per flag: a list is one YAML value (`--flows-allowed-hosts '[a, b]'`).
                if !expectsValue { problems.add(key: word, "is not a setting: give settings as --<key> <value>") }
                expectsValue = false
                continue
            }
            let flag = String(word.split(separator: "=", maxSplits: 1)[0])
            if !knownFlags.contains(flag) { problems.add(key: flag, "is not a setting Pillar knows") }
            expectsValue = !word.contains("=")
        }
        let sectionPrefixes = Self.sections.map { Self.kebab($0).uppercased().replacingOccurrences(of: "-", with: "_") }
            .map { "PILLAR_\($0)" }
        for name in environmentNames.sorted() where !knownVariables.contains(name) {
            if let now = Self.renamed[name] {
                problems.add(key: name, "is now called \(now) (every setting is PILLAR_ and its key path)")
            } else if sectionPrefixes.contains(where: { name == $0 || name.hasPrefix($0 + "_") }) {
                problems.add(key: name, "is not a setting Pillar knows")
            }
        }
        try problems.throwIfAny()
    }

    /// Every setting with its name in each layer, for `pillar settings` and the docs.
    static func names() -> [PillarConfiguration.SettingNames] {
        let environment = EnvironmentVariablesProvider(environmentVariables: [:])
        return settings.map { path in
            let kebab = path.map(Self.kebab).joined(separator: "-")
            let variable = try? environment.value(forKey: AbsoluteConfigKey(["pillar"] + path), type: .string).encodedKey
            return PillarConfiguration.SettingNames(
                key: path.joined(separator: "."), argument: "--" + kebab, environment: variable ?? "", file: kebab)
        }
    }

    /// `localModel` → `local-model`.
    static func kebab(_ component: String) -> String {
        var result = ""
        for character in component {
            if character.isUppercase, !result.isEmpty { result += "-" }
            result += character.lowercased()
        }
        return result
    }
}

extension PillarConfiguration {
    /// One setting's names: its key path in the file, and its spelling as a flag, a variable and a secret file.
    public struct SettingNames: Sendable, Hashable {
        public let key: String
        public let argument: String
        public let environment: String
        public let file: String
    }

    /// Every setting Pillar reads, in the order the file's sections come.
    public static var settingNames: [SettingNames] { ConfigurationLayers.names() }
}

extension ConfigurationLayers {
    /// The file's tree with the layers' values put in at their paths.
    static func apply(_ overrides: [Override], to root: Node) throws -> Node {
        var root = root
        for override in overrides {
            let value: Node
            if override.isText {
                value = Node(override.value, Tag(.str), .doubleQuoted)
            } else {
                do {
                    value = try Yams.compose(yaml: override.value) ?? Node("")
                } catch {
                    // Not the parser's words: they quote the value, which may be a secret.
                    throw ConfigurationError(
                        key: override.source, "is not a valid YAML value for \(override.path.joined(separator: "."))")
                }
            }
            root = setting(value, at: override.path[...], in: root)
        }
        return root
    }

    private static func setting(_ value: Node, at path: ArraySlice<String>, in node: Node) -> Node {
        guard let first = path.first else { return value }
        var mapping = node.mapping ?? Node.Mapping([])
        let child = mapping[first] ?? Node.mapping(Node.Mapping([]))
        mapping[first] = setting(value, at: path.dropFirst(), in: child)
        return Node.mapping(mapping)
    }
}
