import EventStore
import Foundation
import Projections
import Webhooks

/// What an operator alerts on, appended to `GET /metrics`: the log's head, each projection's lag,
/// backlog and repairs, holds expired, and this gateway's live sessions and read waiters. Read at scrape
/// time from the log and the read models, so every process reports the same figures for shared state.
/// A store that does not answer makes `boxoffice_up{component}` 0 instead of failing the scrape.
struct OperationalMetrics: Sendable {
    let monitoring: Monitoring

    func text() async -> String {
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { out += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        let head = try? await monitoring.reads.store.headPosition()
        let lags = try? await monitoring.reads.projectionLags()
        var bookings: BookingKPIs?
        if lags != nil, let sessions = try? await KPIRoutes.sessionKPIs(monitoring.reads).sessions {
            bookings = BookingKPIs(sessions)
        }
        metric(
            "boxoffice_up", "gauge", "Whether the event store and the read-model store answer (1) or not (0).",
            [
                (#"{component="event_store"}"#, head == nil ? "0" : "1"), (#"{component="read_models"}"#, lags == nil ? "0" : "1"),
            ])
        if let head {
            metric("boxoffice_event_store_head_position", "gauge", "Highest global position in the event log.", [("", "\(head)")])
        }
        if let lags {
            let label = { (lag: ProjectionLag) in #"{projection="\#(lag.name)"}"# }
            metric(
                "boxoffice_projection_lag_milliseconds", "gauge",
                "Age of the oldest event a projection has not applied yet (0 when caught up).",
                lags.map { (label($0), "\(Int($0.lagMs))") })
            metric(
                "boxoffice_projection_backlog_events", "gauge", "Events a projection has not applied yet.",
                lags.map { (label($0), "\($0.lagEvents)") })
            if lags.allSatisfy({ $0.repairs != nil }) {
                metric(
                    "boxoffice_projection_repairs_total", "counter",
                    "Read-model repairs a projection needed (any process); anything but 0 deserves a look.",
                    lags.map { (label($0), "\($0.repairs ?? 0)") })
            }
        }
        if let expired = bookings?.holds.expired {
            metric(
                "boxoffice_holds_expired_total", "counter", "Holds released by a recorded HoldExpired (any process).",
                [("", "\(expired)")])
        }
        if let rooms = bookings?.waitingRooms {
            metric(
                "boxoffice_waiting_room_buyers", "gauge", "Buyers queued in on-sales' waiting rooms, by whether they were admitted (any process).",
                [(#"{state="queued"}"#, "\(rooms.queued)"), (#"{state="admitted"}"#, "\(rooms.admitted)")])
        }
        if let waitlist = bookings?.waitlist {
            metric(
                "boxoffice_waitlist_waiting", "gauge", "Buyers on waiting lists of sold-out sessions (any process).", [("", "\(waitlist.waiting)")])
            let offers = waitlist.offers
            metric(
                "boxoffice_waitlist_offers_total", "counter", "Places offered to waiters, by what became of them (any process).",
                [
                    (#"{outcome="made"}"#, "\(offers.made)"), (#"{outcome="accepted"}"#, "\(offers.accepted)"),
                    (#"{outcome="declined"}"#, "\(offers.declined)"), (#"{outcome="lapsed"}"#, "\(offers.lapsed)"),
                ])
        }
        if let deliveries = try? await monitoring.webhooks?.counts() {
            metric(
                "boxoffice_webhook_deliveries", "gauge",
                "Webhook deliveries by status (any process); failed ones wait for the admin's retry.",
                DeliveryStatus.allCases.map { (#"{status="\#($0.rawValue)"}"#, "\(deliveries[$0] ?? 0)") })
        }
        metric(
            "boxoffice_live_sessions", "gauge", "Sessions whose seat map this gateway keeps in memory.",
            [("", "\(monitoring.reads.live.count)")])
        let feed = monitoring.reads.feed.figures
        metric(
            "boxoffice_seat_stream_subscribers", "gauge", "Live seat-map streams (GET /sessions/:id/seats/stream) this gateway serves now.",
            [("", "\(feed.subscribers)")])
        metric(
            "boxoffice_seat_stream_sessions", "gauge", "Sessions whose live seat-map stream has subscribers on this gateway.",
            [("", "\(feed.watchedSessions)")])
        metric(
            "boxoffice_seat_stream_messages_total", "counter", "Messages (changes and heartbeats) sent to live seat-map subscribers.",
            [("", "\(feed.messages)")])
        metric(
            "boxoffice_seat_stream_dropped_total", "counter", "Live seat-map subscribers dropped for falling too far behind.",
            [("", "\(feed.dropped)")])
        metric(
            "boxoffice_read_waiters", "gauge", "Requests of this gateway waiting for a read model now.",
            [("", "\(monitoring.reads.waits.current)")])
        return out
    }
}
