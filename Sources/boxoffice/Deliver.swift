import ArgumentParser

/// `boxoffice deliver`: the webhook delivery worker alone. Run several for fail-over: one leads.
struct Deliver: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Deliver the log's events to the registered webhooks.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let runtime = try Runtime(common, label: "boxoffice.deliver")
        try await runtime.run([try runtime.webhookWorker()])
    }
}
