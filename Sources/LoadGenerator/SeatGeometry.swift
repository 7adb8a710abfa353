/// Maps WORKLOADS.md's seat grid (`R01-S01` … `Rrr-Sss`) onto SPEC's hall layout, whose row labels are
/// letters: row 1 is `A`, 26 is `Z`, 27 is `AA` (spreadsheet style), seat numbers stay 1…N. The
/// geometry, and so which seats are adjacent, is unchanged.
struct SeatGeometry: Sendable {
    let rows: Int
    let seatsPerRow: Int

    var capacity: Int { rows * seatsPerRow }

    /// Letters for a 0-based row index.
    static func rowLabel(_ index: Int) -> String {
        var label = ""
        var value = index + 1
        while value > 0 {
            let digit = (value - 1) % 26
            label = String(UnicodeScalar(UInt8(65 + digit))) + label
            value = (value - 1) / 26
        }
        return label
    }

    /// The seat id of a 0-based flat index (row-major).
    func seatId(_ index: Int) -> String {
        Self.rowLabel(index / seatsPerRow) + String(index % seatsPerRow + 1)
    }

    /// Every seat id, index order.
    var seatIds: [String] { (0..<capacity).map(seatId) }

    /// Flat index by seat id, for reading seat maps.
    var indexById: [String: Int] {
        Dictionary(uniqueKeysWithValues: seatIds.enumerated().map { ($1, $0) })
    }

    /// The hall body for `POST /halls`.
    func hallBody(name: String) -> [String: Any] {
        let rowList: [[String: Any]] = (0..<rows).map { ["row": Self.rowLabel($0), "seats": seatsPerRow] }
        return ["name": name, "sections": [["id": "main", "name": "Main", "price": 10, "rows": rowList]]]
    }

    /// Free seats with a taken seat or the row's end on both sides: singles no pair can buy.
    func isolatedSingles(taken: (String) -> Bool) -> Int {
        var count = 0
        for row in 0..<rows {
            let free = (0..<seatsPerRow).map { !taken(seatId(row * seatsPerRow + $0)) }
            for seat in 0..<seatsPerRow where free[seat] {
                if (seat == 0 || !free[seat - 1]) && (seat == seatsPerRow - 1 || !free[seat + 1]) { count += 1 }
            }
        }
        return count
    }

    /// Flat indexes of the left seats of the adjacent pairs that are both free.
    func freePairs(_ free: [Bool]) -> [Int] {
        var pairs: [Int] = []
        pairs.reserveCapacity(capacity)
        for row in 0..<rows {
            let base = row * seatsPerRow
            for seat in 0..<(seatsPerRow - 1) where free[base + seat] && free[base + seat + 1] {
                pairs.append(base + seat)
            }
        }
        return pairs
    }
}
