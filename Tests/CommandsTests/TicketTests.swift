import Commands
import Foundation
import Testing

/// Issue 18, items 1 and 2: tickets issued with the confirmation, voided with the cancellation, used once at the door.
@Suite("Sessions: tickets and check-in")
struct TicketTests {
    /// A session starting an hour after `t0`: its doors are open at `t0`.
    let tonight: SessionScheduled = {
        var session = seatedSession
        session.startsAt = t0.addingTimeInterval(3600)
        return session
    }()

    func tickets(in events: [SessionEvent]) -> [TicketIssued] {
        events.compactMap { if case .ticketIssued(let issued) = $0 { issued } else { nil } }
    }

    func scan(_ ticketId: String, gate: String = "north", id: String, scanner: String = "scn1", at: Date = t0) -> TicketScan {
        TicketScan(ticketId: ticketId, gate: gate, scanId: id, scannerId: scanner, scannedAt: at)
    }

    func checkIn(_ scans: [TicketScan], online: Bool = true) -> SessionCommand {
        .checkIn(scans: scans, online: online, window: .standard)
    }

    @Test func confirmingIssuesOneTicketPerSeatInTheSameDecisionAndAHoldIssuesNone() throws {
        let state = given([.scheduled(tonight)])
        let held = try SessionDecider.decide(holdSeats("b1", ["A1", "A2"]), state, now: t0)
        #expect(tickets(in: held).isEmpty)
        let confirmed = try SessionDecider.decide(
            .confirm(bookingId: "b1", by: .user("u1"), ticketSeed: "tk_x"), applying(held, to: state), now: t0)
        #expect(confirmed.first == .bookingConfirmed(BookingChanged(bookingId: "b1", at: t0)))
        #expect(tickets(in: confirmed).map(\.ticketId) == ["tk_x-1", "tk_x-2"])
        #expect(tickets(in: confirmed).map(\.seat) == ["A1", "A2"] && tickets(in: confirmed).allSatisfy { $0.bookingId == "b1" })
        // Confirming again records nothing, so no second set of tickets.
        #expect(
            try SessionDecider.decide(.confirm(bookingId: "b1", by: .user("u1"), ticketSeed: "tk_y"), applying(held + confirmed, to: state), now: t0)
                .isEmpty)

        let atOnce = try SessionDecider.decide(
            .bookQuantity(BookQuantity(bookingId: "g1", userId: "u1", sectionId: "floor", qty: 3, hold: false, holdTTL: ttl, ticketSeed: "tk_g")),
            given([.scheduled(gaSession)]), now: t0)
        #expect(tickets(in: atOnce).map(\.ticketId) == ["tk_g-1", "tk_g-2", "tk_g-3"])
        #expect(tickets(in: atOnce).allSatisfy { $0.sectionId == "floor" && $0.seat == nil })
    }

    @Test func cancellingAConfirmedBookingVoidsItsTicketsAndTheyNoLongerAdmit() throws {
        let state = given([.scheduled(tonight)])
        let booked = try SessionDecider.decide(
            .holdSeats(HoldSeats(bookingId: "b1", userId: "u1", seats: ["A1", "A2"], confirm: true, holdTTL: ttl, ticketSeed: "tk_b")),
            state, now: t0)
        let cancelled = try SessionDecider.decide(.cancel(bookingId: "b1", by: .user("u1")), applying(booked, to: state), now: t0)
        #expect(
            cancelled == [
                .bookingCancelled(BookingChanged(bookingId: "b1", at: t0)),
                .ticketVoided(TicketVoided(ticketId: "tk_b-1", bookingId: "b1", at: t0)),
                .ticketVoided(TicketVoided(ticketId: "tk_b-2", bookingId: "b1", at: t0)),
            ])
        let after = applying(booked + cancelled, to: state)
        #expect(throws: DomainError.notFound("ticket")) { try SessionDecider.decide(checkIn([scan("tk_b-1", id: "s1")]), after, now: t0) }
    }

    @Test func aTicketAdmitsOnceOnlineAndARetriedScanChangesNothing() throws {
        let state = given([.scheduled(tonight), seatsBooked("b1", ["A1"])])
        let issued = try SessionDecider.decide(
            .holdSeats(HoldSeats(bookingId: "b2", userId: "u2", seats: ["A2"], confirm: true, holdTTL: ttl, ticketSeed: "tk_c")), state,
            now: t0)
        let open = applying(issued, to: state)
        let first = try SessionDecider.decide(checkIn([scan("tk_c-1", id: "s1")]), open, now: t0)
        #expect(
            first == [
                .ticketCheckedIn(
                    TicketCheckedIn(ticketId: "tk_c-1", bookingId: "b2", gate: "north", scanId: "s1", scannerId: "scn1", scannedAt: t0, at: t0))
            ])
        let inside = applying(first, to: open)
        #expect(SessionDecider.outcome(of: checkIn([scan("tk_c-1", id: "s1")]), in: inside).scans?.map(\.verdict) == [.admitted])
        // The same scan again (a network retry): nothing new, answered as the first time.
        #expect(try SessionDecider.decide(checkIn([scan("tk_c-1", id: "s1")]), inside, now: t0.addingTimeInterval(5)).isEmpty)
        // Another scan of the used ticket: refused with where and when it was used.
        #expect(throws: DomainError.alreadyCheckedIn(at: t0, gate: "north")) {
            try SessionDecider.decide(checkIn([scan("tk_c-1", gate: "south", id: "s2")]), inside, now: t0.addingTimeInterval(60))
        }
        // The same scan id for another ticket is the scanner's mistake, not a retry.
        #expect(throws: DomainError.self) { try SessionDecider.decide(checkIn([scan("tk_other", id: "s1")]), inside, now: t0) }
        #expect(throws: DomainError.notFound("ticket")) { try SessionDecider.decide(checkIn([scan("tk_nope-1", id: "s3")]), inside, now: t0) }
    }

    @Test func doorsAreOpenOnlyAroundTheSessionsStart() throws {
        let state = given([.scheduled(tonight)])
        let issued = try SessionDecider.decide(
            .holdSeats(HoldSeats(bookingId: "b1", userId: "u1", seats: ["A1"], confirm: true, holdTTL: ttl, ticketSeed: "tk_d")), state,
            now: t0)
        let open = applying(issued, to: state)
        for late in [t0.addingTimeInterval(-86_400), t0.addingTimeInterval(3600 + 6 * 3600 + 1)] {
            #expect(throws: DomainError.self) { try SessionDecider.decide(checkIn([scan("tk_d-1", id: "s1")]), open, now: late) }
        }
        #expect(try SessionDecider.decide(checkIn([scan("tk_d-1", id: "s1")]), open, now: t0.addingTimeInterval(3600 + 6 * 3600)).count == 1)
    }

    @Test func offlineUploadsRecordEveryScanAndFlagDoubleEntries() throws {
        let state = given([.scheduled(tonight)])
        let issued = try SessionDecider.decide(
            .holdSeats(HoldSeats(bookingId: "b1", userId: "u1", seats: ["A1", "A2"], confirm: true, holdTTL: ttl, ticketSeed: "tk_e")),
            state, now: t0)
        let open = applying(issued, to: state)
        let upload = [
            scan("tk_e-1", gate: "north", id: "o1", at: t0), scan("tk_e-1", gate: "south", id: "o2", at: t0.addingTimeInterval(30)),
            scan("tk_e-2", gate: "south", id: "o3", at: t0.addingTimeInterval(40)), scan("tk_zz-1", id: "o4"),
        ]
        let events = try SessionDecider.decide(checkIn(upload, online: false), open, now: t0.addingTimeInterval(600))
        #expect(events.count == 3)
        guard case .ticketCheckedIn(let double) = events[1] else {
            Issue.record("not a scan: \(events[1])")
            return
        }
        #expect(double.doubleEntry == true && double.gate == "south")
        let after = applying(events, to: open)
        #expect(
            SessionDecider.outcome(of: checkIn(upload, online: false), in: after).scans?.map(\.verdict) == [
                .admitted, .doubleEntry, .admitted, .notFound,
            ])
        #expect(after.ticketsById["tk_e-1"]?.entry == TicketEntry(at: t0, gate: "north", scanId: "o1"))
        // Uploaded again (the scanner did not get the answer): nothing new.
        #expect(try SessionDecider.decide(checkIn(upload, online: false), after, now: t0.addingTimeInterval(700)).isEmpty)
    }
}
