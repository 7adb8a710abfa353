import EventStore
import Webhooks

/// What health, KPI and metrics answers are made of: the read side, this gateway's request figures and
/// the command handler's retry and group-commit figures.
struct Monitoring: Sendable {
    let reads: Reads
    let metrics: RequestMetrics
    let commands: CommandStatistics
    let gatewayId: String
    /// The webhook queue, for its counts; nil where none is wired.
    var webhooks: (any WebhookQueue)? = nil
}
