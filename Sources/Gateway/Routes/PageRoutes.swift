import Foundation
import Hummingbird

/// The two pages a person opens: the booking page (`GET /`) and the KPI dashboard (`GET /dashboard`).
/// Both are compiled into the binary (see Package.swift) and self-contained, so they work offline.
struct PageRoutes: Sendable {
    var routes: [Route] {
        [
            Route(.get, "/") { _, _ in Self.page(PackageResources.index_html) },
            Route(.get, "/dashboard") { _, _ in Self.page(PackageResources.dashboard_html) },
        ]
    }

    private static func page(_ bytes: [UInt8]) -> Response {
        // Same-origin only: the pages call this API and nothing else.
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8",
                .contentSecurityPolicy:
                    "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; img-src 'self' data:",
                .cacheControl: "no-cache",
            ], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
