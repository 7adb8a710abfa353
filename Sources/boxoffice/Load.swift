import ArgumentParser

/// `boxoffice load …`: load generators that talk HTTP to a running gateway.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate load against a running gateway.",
        subcommands: [Race.self, Fill.self])
}
