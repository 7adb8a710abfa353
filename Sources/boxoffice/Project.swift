import ArgumentParser

/// `boxoffice project`: the projectors alone. Run several for fail-over: one leads each projection.
struct Project: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the projectors that build the read models.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let runtime = try Runtime(common, label: "boxoffice.project")
        try await runtime.run(runtime.projectors())
    }
}

/// `boxoffice projections …`: read-model maintenance.
struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections", abstract: "Maintain the read models.", subcommands: [Rebuild.self])
}
