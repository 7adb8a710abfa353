import Foundation
import Hummingbird
import NIOCore

/// `GET /openapi.json`: the API contract, kept in `openapi.json` next to this file and compiled into the
/// binary, so the document served is always the one the tests checked.
struct OpenAPIRoutes: Sendable {
    /// The document's bytes, as committed.
    static let document = ByteBuffer(bytes: PackageResources.openapi_json)

    var routes: [Route] {
        [
            Route(.get, "/openapi.json") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                    body: ResponseBody(byteBuffer: Self.document))
            }
        ]
    }
}

extension GatewayRouter {
    /// The OpenAPI 3.1 document of the whole API.
    public static var openAPIDocument: Data { Data(OpenAPIRoutes.document.readableBytesView) }
}
