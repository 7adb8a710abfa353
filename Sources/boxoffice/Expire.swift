import ArgumentParser
import Commands
import EventStore
import Gateway

/// `boxoffice expire`: the hold-expiry worker alone. Any number may run; duplicates are harmless.
struct Expire: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Expire due holds (records HoldExpired for each).")

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let runtime = try Runtime(common, label: "boxoffice.expire")
        try await runtime.run([try runtime.expiryWorker(CommandHandler(store: runtime.events, clock: runtime.clock.now))])
    }
}
