import ArgumentParser

@main
struct Pillar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pillar",
        abstract: "A generative-AI chat workload server: authenticated OpenAI-compatible chat through a model gateway.",
        subcommands: [
            Serve.self, Ingest.self, Simulate.self, Keys.self, Prompts.self, Flows.self, Monitors.self, Audit.self, Erase.self,
            Migrate.self, Eval.self, Review.self, Backup.self, Restore.self, Settings.self,
            LaunchChild.self,
        ])
}
