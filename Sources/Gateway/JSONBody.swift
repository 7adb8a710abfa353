import Commands
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reading request bodies and writing JSON responses.
enum JSONBody {
    /// Bodies above 64 KiB are refused with 413.
    static let maxBytes = 64 * 1024

    /// Collects the body (bounded) as bytes.
    static func bytes(_ request: inout Request) async throws -> Data {
        do {
            let buffer = try await request.collectBody(upTo: maxBytes)
            return Data(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw APIError.payloadTooLarge(limit: maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.payloadTooLarge(limit: maxBytes)
        }
    }

    /// Decodes `T` from the body, turning every decoding failure into a 400 naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.isEmpty else { throw APIError.invalidRequest("a JSON body is required") }
        do {
            return try EventJSON.decoder.decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw APIError.invalidRequest("missing field \(path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(expected, context) {
            throw APIError.invalidRequest("field \(path(context.codingPath)) must be \(describe(expected))")
        } catch let DecodingError.valueNotFound(expected, context) {
            throw APIError.invalidRequest("field \(path(context.codingPath)) must be \(describe(expected)), not null")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.isEmpty ? "body" : "field \(path(context.codingPath))"
            throw APIError.invalidRequest("\(field) is malformed: \(context.debugDescription)")
        } catch {
            throw APIError.invalidRequest("body is not valid JSON")
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Decimal.Type, is Double.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        case is [String: Any].Type: "an object"
        default: "of another type"
        }
    }
}

/// JSON responses with the system's encoder.
enum JSONResponse {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        try EventJSON.encoder.encode(value)
    }

    static func make<T: Encodable>(status: HTTPResponse.Status, body: T, headers: HTTPFields = [:]) -> Response {
        let data = (try? encode(body)) ?? Data("{}".utf8)
        return make(status: status, data: data, headers: headers)
    }

    static func make(status: HTTPResponse.Status, data: Data, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
