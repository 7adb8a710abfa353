import Foundation

/// Every projection of the system, by name.
public enum Projections {
    public static let all: [any Projection] = [SessionProjection(), UserProjection(), HallProjection(), KPIProjection()]

    public static func named(_ name: String) -> (any Projection)? {
        all.first { $0.name == name }
    }
}
