import Foundation

/// A session's seated rows as the seat rules see them: each row's seats in order and which are free at
/// a moment (a hold past its deadline is free: `decide` records its expiry before reusing its seats;
/// a blocked seat is not, nor, while anyone waits, a lapsed hold: its seats go to the waiting list first).
struct SeatRows {
    struct Row {
        var section: String
        /// Lower is better: the row's `rank` in the layout, else its place in it (front rows first).
        var rank: Int
        var seats: [String]
        var free: [Bool]
    }

    var rows: [Row]

    init(_ state: SessionState, now: Date) {
        rows = []
        var place = 0
        for section in state.session?.seatSections ?? [] {
            for row in section.rows {
                let ids = row.seatIds
                let free = ids.map { id in
                    guard state.seatBlock[id] == nil else { return false }
                    guard let holder = state.seatHolder[id], let booking = state.bookings[holder] else { return true }
                    return booking.isDueHold(at: now) && state.waitlist.isEmpty
                }
                rows.append(Row(section: section.id, rank: row.rank ?? place, seats: ids, free: free))
                place += 1
            }
        }
    }

    /// The longest run of free seats in one row (of `section`, when given).
    func largestBlock(in section: String?) -> Int {
        rows.filter { section == nil || $0.section == section }.map { row in
            var longest = 0
            var run = 0
            for free in row.free {
                run = free ? run + 1 : 0
                longest = max(longest, run)
            }
            return longest
        }.max() ?? 0
    }
}

extension SeatRows.Row {
    /// Whether taking `taken` (indices into this row) leaves a lone free seat next to them: free, with a
    /// taken seat or the row's end on both sides.
    func strands(taking taken: Set<Int>) -> Int? {
        let isFree = { (index: Int) in index >= 0 && index < free.count && free[index] && !taken.contains(index) }
        for index in taken {
            for neighbour in [index - 1, index + 1] where isFree(neighbour) {
                if !isFree(neighbour - 1) && !isFree(neighbour + 1) { return neighbour }
            }
        }
        return nil
    }

    /// How far the middle of seats `start..<start+count` is from the middle of the row, in seats.
    func distanceFromCentre(_ start: Int, _ count: Int) -> Double {
        abs(Double(start) + Double(count - 1) / 2 - Double(seats.count - 1) / 2)
    }
}

extension SessionState {
    /// Free seats with a taken seat or the row's end on both sides: singles no group can buy. At sell-out,
    /// the seats a layout of choices stranded.
    public func loneFreeSeats(at now: Date) -> Int {
        SeatRows(self, now: now).rows.reduce(0) { total, row in
            total
                + row.free.indices.filter { index in
                    row.free[index] && (index == 0 || !row.free[index - 1]) && (index == row.free.count - 1 || !row.free[index + 1])
                }.count
        }
    }
}

/// Best available (`reserveBest`): the seats to hold for a buyer who asks for a count, not for seats.
///
/// Together (the default), the choice is `count` adjacent free seats in one row with the lowest score
/// (row rank, then whether the block would leave a lone free seat beside it, then its distance from the
/// row's middle, then leftmost): the best row first, and within it never stranding a single when another
/// block in that row would not. Apart, the `count` free seats of the lowest (row rank, distance from the
/// row's middle) are taken one by one.
enum BestAvailable {
    static func choose(
        _ count: Int, section: String?, together: Bool, in state: SessionState, now: Date
    ) throws(DomainError) -> [String] {
        let seatRows = SeatRows(state, now: now)
        let rows = seatRows.rows.filter { section == nil || $0.section == section }
        if together {
            var best: (key: [Double], row: Int, start: Int)?
            for (rowIndex, row) in rows.enumerated() where row.seats.count >= count {
                for start in 0...(row.seats.count - count) where row.free[start..<start + count].allSatisfy({ $0 }) {
                    let strands = row.strands(taking: Set(start..<start + count)) != nil
                    let key = [Double(row.rank), strands ? 1 : 0, row.distanceFromCentre(start, count), Double(start)]
                    if best == nil || key.lexicographicallyPrecedes(best!.key) { best = (key, rowIndex, start) }
                }
            }
            guard let best else { throw .noSeatsTogether(largest: seatRows.largestBlock(in: section)) }
            return Array(rows[best.row].seats[best.start..<best.start + count])
        }
        let free = rows.flatMap { row in
            row.seats.indices.filter { row.free[$0] }.map { index in
                (key: [Double(row.rank), row.distanceFromCentre(index, 1), Double(index)], seat: row.seats[index])
            }
        }
        guard free.count >= count else { throw .insufficientCapacity(remaining: free.count) }
        return free.sorted { $0.key.lexicographicallyPrecedes($1.key) }.prefix(count).map(\.seat)
    }
}

/// `singleSeatRule: "refuse"`: a reservation of named seats may not leave a lone free seat between two
/// taken ones or between a taken seat and the row's end, unless it could not be avoided: the free run the
/// seats are taken from is one seat longer than what is taken from it, so any choice there leaves one.
enum SingleSeatRule {
    static func check(_ seats: [String], in state: SessionState, now: Date) throws(DomainError) {
        let wanted = Set(seats)
        for row in SeatRows(state, now: now).rows {
            let taken = Set(row.seats.indices.filter { wanted.contains(row.seats[$0]) })
            guard !taken.isEmpty, let lone = row.strands(taking: taken), !unavoidable(row, taken, lone) else { continue }
            throw .wouldStrandSeat(row.seats[lone])
        }
    }

    /// The run of free seats around the lone one, before taking, holds exactly the taken seats and it.
    private static func unavoidable(_ row: SeatRows.Row, _ taken: Set<Int>, _ lone: Int) -> Bool {
        var start = lone
        while start > 0, row.free[start - 1] { start -= 1 }
        var end = lone
        while end + 1 < row.free.count, row.free[end + 1] { end += 1 }
        let run = Set(start...end)
        return run.count == taken.intersection(run).count + 1
    }
}
