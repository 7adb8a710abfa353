import Commands
import EventStore
import Foundation

/// Halls and their layouts.
public struct HallProjection: ReadModel {
    public static let halls = Collection(projection: "halls", name: "halls")
    public let name = "halls"

    public init() {}

    public func keys(for event: StoredEvent) -> [DocumentKey] {
        [DocumentKey(Self.halls, Streams.hallId(ofStream: event.streamId))]
    }

    /// The only event of the stream creates the document.
    public func createdKeys(for event: StoredEvent) -> [DocumentKey] { keys(for: event) }

    public func evolve(_ documents: inout DocumentSet, _ event: HallEvent, _ stored: StoredEvent) throws {
        switch event {
        case .created(let hall):
            let sections = hall.sections.map {
                HallDocument.Section(id: $0.id, name: $0.name, price: $0.price, rows: $0.rows, seatIds: $0.rows.flatMap(\.seatIds))
            }
            documents.put(
                keys(for: stored)[0],
                HallDocument(
                    id: hall.hallId, name: hall.name, sections: sections,
                    seatCount: sections.reduce(0) { $0 + $1.seatIds.count }),
                version: Int64(stored.version))
        }
    }
}
