import ArgumentParser

/// `boxoffice load …`: load generators that talk HTTP to a running gateway.
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate load against a running gateway.",
        subcommands: [W1HotSession.self, W2ManySessions.self, W3FlashGA.self, W3Tiny.self, Race.self, Fill.self])
}
