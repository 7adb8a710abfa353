import ArgumentParser

/// The one executable: gateway, workers, migrations and tools as subcommands.
@main
struct Boxoffice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boxoffice",
        abstract: "Event-sourced seat and ticket booking.",
        subcommands: [Serve.self, Project.self, Deliver.self, Expire.self, Migrate.self, Replay.self, ProjectionsCommand.self, Load.self])
}
