import ArgumentParser
import EventStore

/// `boxoffice migrate`: apply schema migrations and exit.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply database migrations.")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let logger = try common.makeLogger("boxoffice.migrate")
        try await Database.withClient(try common.database(), logger: logger) { client in
            try await Migrations.apply(client, logger: logger)
        }
        logger.info("migrations applied")
    }
}
