import ArgumentParser
import PillarServer

struct Settings: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Every setting, with its names as a flag of `pillar serve`, an environment variable and a secret file.")

    @Option(help: "Only settings whose key path starts with this (e.g. gateway).") var prefix: String?

    func run() throws {
        let settings = PillarConfiguration.settingNames.filter { prefix.map($0.key.hasPrefix) ?? true }
        guard !settings.isEmpty else { throw ValidationError("no setting starts with '\(prefix ?? "")'") }
        let widths = [
            settings.map(\.key.count).max() ?? 0, settings.map(\.argument.count).max() ?? 0,
            settings.map(\.environment.count).max() ?? 0,
        ]
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        print(pad("SETTING", widths[0]), pad("FLAG", widths[1]), pad("VARIABLE", widths[2]), "FILE")
        for setting in settings {
            print(
                pad(setting.key, widths[0]), pad(setting.argument, widths[1]), pad(setting.environment, widths[2]),
                setting.file)
        }
    }
}
