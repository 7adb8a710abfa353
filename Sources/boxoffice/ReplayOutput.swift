import Commands
import Foundation
import Projections

/// How replays are printed: a terminal timeline and seat map, or JSON.
enum ReplayOutput {
    static func text(_ replay: SessionReplay, asOf: Int?, verification: Verification?) -> String {
        var out = "Session \(replay.sessionId) — \"\(replay.title)\", \(replay.steps.count) events\n\n"
        let header = [
            pad("ver", 4, right: true), pad("position", 9, right: true), pad("recorded (UTC)", 24), pad("event", 17),
            pad("who", 22), pad("booking", 22), pad("seats / qty", 20), pad("status", 10),
            pad("avail", 6, right: true), pad("held", 6, right: true), pad("booked", 7, right: true),
        ]
        out += header.joined(separator: " ") + "\n"
        for step in replay.steps {
            let marker = step.version == asOf ? "▶" : " "
            out +=
                marker
                + [
                    pad("\(step.version)", 3, right: true), pad("\(step.position)", 9, right: true),
                    pad(ISO8601.string(from: step.recordedAt), 24), pad(step.type, 17), pad(step.actor, 22),
                    pad(step.bookingId ?? "-", 22), pad(step.subject ?? "-", 20), pad(step.status ?? "-", 10),
                    pad("\(step.counts.available)", 6, right: true), pad("\(step.counts.held)", 6, right: true),
                    pad("\(step.counts.booked)", 7, right: true),
                ].joined(separator: " ") + "\n"
        }
        let map = replay.seatMap(asOf: asOf)
        out += "\nSeat map as of version \(map.version)" + (asOf == nil ? " (latest)" : "") + "   . available  H held  # booked  X blocked\n"
        out += seatGrid(map)
        out += "Total \(map.summary.total): \(map.summary.available) available, \(map.summary.held) held, \(map.summary.booked) booked"
        out += (map.summary.blocked > 0 ? ", \(map.summary.blocked) blocked" : "") + "\n"
        if let verification { out += "\n" + line(verification) }
        return out
    }

    /// One line per verified session.
    static func line(_ verification: Verification) -> String {
        if verification.behind {
            return "BEHIND \(verification.sessionId): the projections have not applied version \(verification.version) yet"
        }
        if verification.drifts.isEmpty {
            return "OK     \(verification.sessionId): \(verification.documents) documents match the events up to version \(verification.version)"
        }
        return "DRIFT  \(verification.sessionId): " + verification.drifts.joined(separator: "\n       ")
    }

    static func json(_ replay: SessionReplay, asOf: Int?, verification: Verification?) throws -> String {
        struct Body: Encodable {
            var sessionId: String
            var title: String
            var timeline: [SessionReplay.Step]
            var seatMap: SeatMap
            var verification: Verification?
        }
        let body = Body(
            sessionId: replay.sessionId, title: replay.title, timeline: replay.steps,
            seatMap: replay.seatMap(asOf: asOf), verification: verification)
        return String(decoding: try encoder(pretty: true).encode(body), as: UTF8.self)
    }

    static func jsonLine(_ verification: Verification) throws -> String {
        String(decoding: try encoder(pretty: false).encode(verification), as: UTF8.self)
    }

    private static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = EventJSON.makeEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        return encoder
    }

    /// Seated sections row by row, GA sections as figures.
    private static func seatGrid(_ map: SeatMap) -> String {
        var out = ""
        var section: String?
        var row: String?
        for seat in map.seats {
            if seat.section != section {
                if row != nil { out += "\n" }
                out += "  [\(seat.section)] \(seat.price)\n"
                section = seat.section
                row = nil
            }
            if seat.row != row {
                if row != nil { out += "\n" }
                out += "  " + pad(seat.row, 4) + " "
                row = seat.row
            }
            switch seat.status {
            case .available: out += "."
            case .held: out += "H"
            case .booked: out += "#"
            case .blocked: out += "X"
            }
        }
        if row != nil { out += "\n" }
        for ga in map.sections {
            out += "  [\(ga.id)] \(ga.name) \(ga.price): capacity \(ga.capacity), held \(ga.held), booked \(ga.booked), remaining \(ga.remaining)\n"
        }
        return out
    }

    private static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let clipped = text.count > width ? String(text.prefix(width - 1)) + "…" : text
        let fill = String(repeating: " ", count: width - clipped.count)
        return right ? fill + clipped : clipped + fill
    }
}
