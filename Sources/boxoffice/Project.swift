import ArgumentParser

/// `boxoffice project`: the projectors alone. Run several for fail-over: one leads each projection.
struct Project: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the projectors that build the read models.")

    @OptionGroup var common: CommonOptions
    @Option(name: .customLong("batch-size"), help: "Events applied and committed together while catching up.")
    var batchSize = 1_000

    func run() async throws {
        guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1 to 100000") }
        let runtime = try Runtime(common, label: "boxoffice.project")
        try await runtime.run(runtime.projectors(batchSize: batchSize))
    }
}

/// `boxoffice projections …`: read-model maintenance.
struct ProjectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "projections", abstract: "Maintain the read models.", subcommands: [Rebuild.self])
}
