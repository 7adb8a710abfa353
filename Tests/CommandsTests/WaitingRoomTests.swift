import Commands
import Foundation
import Testing

/// Issue 17, item 3: an on-sale's waiting room, given events / when command / then events or error.
@Suite("Sessions: waiting room")
struct WaitingRoomTests {
    static let onSale = t0.addingTimeInterval(600)

    /// A room admitting one buyer a second; u1 to u4 queued before sales open with tickets 30, 10, 20, 40.
    var room: [SessionEvent] {
        [
            .scheduled(seatedSession),
            .waitingRoomOpened(WaitingRoomOpened(onSaleAt: Self.onSale, admitPerMinute: 60, at: t0)),
            .queueJoined(QueueJoined(userId: "u1", ticket: 30, at: t0)),
            .queueJoined(QueueJoined(userId: "u2", ticket: 10, at: t0)),
            .queueJoined(QueueJoined(userId: "u3", ticket: 20, at: t0)),
            .queueJoined(QueueJoined(userId: "u4", ticket: 40, at: t0)),
        ]
    }

    @Test func theAdminOpensOneRoomForAFutureOnSale() throws {
        let state = given([.scheduled(seatedSession)])
        #expect(
            try SessionDecider.decide(.openWaitingRoom(onSaleAt: Self.onSale, admitPerMinute: 60), state, now: t0) == [
                .waitingRoomOpened(WaitingRoomOpened(onSaleAt: Self.onSale, admitPerMinute: 60, at: t0))
            ])
        #expect(throws: DomainError.invalid("onSaleAt must be in the future")) {
            try SessionDecider.decide(.openWaitingRoom(onSaleAt: t0, admitPerMinute: 60), state, now: t0)
        }
        #expect(throws: DomainError.invalid("admitPerMinute must be 1 to 1000000")) {
            try SessionDecider.decide(.openWaitingRoom(onSaleAt: Self.onSale, admitPerMinute: 0), state, now: t0)
        }
        #expect(throws: DomainError.alreadyExists("waiting room")) {
            try SessionDecider.decide(.openWaitingRoom(onSaleAt: Self.onSale, admitPerMinute: 60), given(room), now: t0)
        }
    }

    @Test func beforeSalesOpenNobodyBooksAndBuyersQueueOnce() throws {
        let state = given(room)
        #expect(throws: DomainError.notAdmitted(place: nil, admitAt: Self.onSale)) {
            try SessionDecider.decide(holdSeats("b1", ["A1"]), state, now: t0)
        }
        #expect(try SessionDecider.decide(.joinQueue(userId: "u1", ticket: 99), state, now: t0).isEmpty, "queued already")
        #expect(
            try SessionDecider.decide(.joinQueue(userId: "u5", ticket: 5), state, now: t0) == [
                .queueJoined(QueueJoined(userId: "u5", ticket: 5, at: t0))
            ])
        #expect(state.room?.place(of: "u2", at: t0) == nil, "the order is drawn when sales open")
        #expect(throws: DomainError.notAdmitted(place: nil, admitAt: nil), "not queued: join first") {
            try SessionDecider.decide(holdSeats("b1", ["A1"], user: "u9"), state, now: t0)
        }
    }

    @Test func buyersAreAdmittedInTicketOrderAtTheRateAndEachAdmissionIsRecordedInOrder() throws {
        let state = given(room)
        #expect(state.room?.order == ["u2", "u3", "u1", "u4"])
        #expect(throws: DomainError.notAdmitted(place: 3, admitAt: Self.onSale.addingTimeInterval(2))) {
            try SessionDecider.decide(holdSeats("b1", ["A1"], user: "u1"), state, now: Self.onSale)
        }
        let first = try SessionDecider.decide(holdSeats("b2", ["A2"], user: "u2"), state, now: Self.onSale)
        #expect(first.first == .admitted(Admitted(userIds: ["u2"], at: Self.onSale)) && first.count == 2)
        // Two seconds in, u1's turn: u3's came before it and is recorded first, though u3 has not booked.
        let later = Self.onSale.addingTimeInterval(2)
        let third = try SessionDecider.decide(holdSeats("b3", ["A3"], user: "u1"), applying(first, to: state), now: later)
        #expect(third.first == .admitted(Admitted(userIds: ["u3", "u1"], at: later)))
        #expect(throws: DomainError.notAdmitted(place: nil, admitAt: nil), "not queued while the room holds anyone") {
            try SessionDecider.decide(holdSeats("b4", ["A4"], user: "u9"), state, now: Self.onSale)
        }
    }

    @Test func lateArrivalsQueueBehindAndAnEmptyRoomLetsEveryoneBook() throws {
        let open = given(room)
        let late = try SessionDecider.decide(.joinQueue(userId: "u9", ticket: 1), open, now: Self.onSale)
        let state = applying(late, to: open)
        #expect(state.room?.order == ["u2", "u3", "u1", "u4", "u9"], "a ticket orders only those who came before sales opened")
        let empty = Self.onSale.addingTimeInterval(4)
        #expect(state.room?.isEmpty(at: empty) == true)
        #expect(try SessionDecider.decide(holdSeats("b1", ["A1"], user: "u7"), state, now: empty).count == 1, "no admission needed any more")
        #expect(throws: DomainError.roomEmpty) { try SessionDecider.decide(.joinQueue(userId: "u8", ticket: 1), state, now: empty) }
    }

    @Test func roomEventsRoundTripThroughTheirEncoding() throws {
        for event in [
            SessionEvent.waitingRoomOpened(WaitingRoomOpened(onSaleAt: Self.onSale, admitPerMinute: 60, at: t0)),
            .queueJoined(QueueJoined(userId: "u1", ticket: .max, at: t0)), .admitted(Admitted(userIds: ["u1", "u2"], at: t0)),
        ] {
            #expect(try SessionEvent.decode(type: event.type.rawValue, data: event.encodedData()) == event)
        }
    }
}
