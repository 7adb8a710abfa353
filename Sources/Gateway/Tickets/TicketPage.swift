import Commands
import Foundation

/// The printable ticket page (`GET /bookings/:id/tickets?format=html`): one ticket per printed page, its
/// QR code inline, no script and nothing fetched.
enum TicketPage {
    static func html(_ booking: BookingTickets) -> String {
        let session = booking.session
        let when = session.startsAt.map { ISO8601.string(from: $0) } ?? ""
        let cards = booking.tickets.map { ticket in
            let place =
                if let row = ticket.row, let number = ticket.number { "Row \(escape(row)) · Seat \(number)" } else if let seat = ticket.seat {
                    "Seat \(escape(seat))"
                } else { "General admission\(ticket.sectionId.map { " · \(escape($0))" } ?? "")" }
            let state = ticket.status == .valid ? "" : "<p class=\"state\">\(ticket.status.rawValue)</p>"
            return """
                <section class="ticket">
                <h1>\(escape(session.title))</h1>
                <p>\(escape(when))\(session.hall.map { " · \(escape($0))" } ?? "")</p>
                <p class="place">\(place)</p>\(state)
                <div class="qr">\(ticket.qrSvg ?? "")</div>
                <p class="id">Ticket \(escape(ticket.id)) · Booking \(escape(booking.bookingId))</p>
                </section>
                """
        }
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Tickets · \(escape(session.title))</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:0}
            .ticket{border:2px dashed #333;margin:1.5rem auto;padding:1.5rem;max-width:22rem;text-align:center;page-break-after:always}
            .place{font-size:1.4rem;font-weight:600}.state{color:#b00;font-weight:700}.qr svg{width:14rem;height:14rem}
            .id{font-family:monospace;font-size:.75rem;color:#555;word-break:break-all}
            </style></head><body>
            \(cards.isEmpty ? "<p>No tickets: the booking is not confirmed.</p>" : cards.joined(separator: "\n"))
            </body></html>
            """
    }

    private static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
