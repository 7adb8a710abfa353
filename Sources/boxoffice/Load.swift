import ArgumentParser

/// `boxoffice load …`: load generators that talk HTTP to a running gateway. Only the command line lives
/// here; the generators are the LoadGenerator library (docs/adr/0005-load-generator-target.md).
struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate load against a running gateway.",
        subcommands: [LoadW1.self, LoadW1Best.self, LoadW2.self, LoadW3.self, LoadW3Tiny.self, LoadRace.self, LoadRoom.self, LoadFill.self])
}
