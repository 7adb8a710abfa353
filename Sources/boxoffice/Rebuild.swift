import ArgumentParser
import EventStore
import Foundation
import Projections

/// `boxoffice projections rebuild [name]`: replay the log into fresh collections, then switch.
struct Rebuild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild read models from the event log; queries keep using the old ones until the switch.")

    @OptionGroup var common: CommonOptions
    @Argument(help: "Projection to rebuild (\(Projections.all.map(\.name).joined(separator: ", "))); all when omitted.")
    var name: String?

    func run() async throws {
        let selected: [any Projection]
        if let name {
            guard let projection = Projections.named(name) else { throw ValidationError("unknown projection \(name)") }
            selected = [projection]
        } else {
            selected = Projections.all
        }
        let runtime = try Runtime(common, label: "boxoffice.rebuild")
        try await Database.withClient(runtime.client) { _ in
            try await Migrations.apply(runtime.client, logger: runtime.logger)
            for projection in selected {
                let started = ContinuousClock.now
                let result = try await ProjectionRebuild.run(
                    projection, events: runtime.events, documents: runtime.documents,
                    owner: runtime.processId + "-rebuild")
                let seconds = (ContinuousClock.now - started).seconds
                print(
                    "rebuilt \(projection.name): \(result.events) events into generation \(result.generation) in "
                        + String(format: "%.2f s (%.0f events/s)", seconds, Double(result.events) / max(seconds, 0.001)))
            }
        }
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
