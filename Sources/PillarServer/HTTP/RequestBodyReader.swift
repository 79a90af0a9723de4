import Foundation
import Hummingbird
import PillarCore

/// Reads a JSON body within the configured size limit, with errors that say what is wrong: 415 for a body
/// that is not JSON, 413 past the limit, 400 naming the field that failed to decode.
struct RequestBodyReader: Sendable {
    let maxBytes: Int

    func decode<T: Decodable>(
        _ type: T.Type, from request: Request,
        userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) async throws -> T {
        try checkMediaType(of: request)
        return try decode(T.self, from: try await bytes(of: request), userInfo: userInfo)
    }

    /// For routes whose body is optional: nil when the request has none.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T? {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: maxBytes) } catch { throw tooLarge }
        guard buffer.readableBytes > 0 else { return nil }
        try checkMediaType(of: request)
        return try decode(T.self, from: buffer)
    }

    private func checkMediaType(of request: Request) throws {
        if let contentType = request.headers[.contentType] {
            let mediaType = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard mediaType == "application/json" else {
                throw PillarError(
                    .unsupportedMediaType, code: "unsupported_media_type",
                    message: "The body must be application/json, not \(mediaType ?? "(none)").")
            }
        }
    }

    private func decode<T: Decodable>(
        _ type: T.Type, from buffer: ByteBuffer,
        userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) throws -> T {
        do {
            let decoder = JSONDecoder()
            decoder.userInfo = userInfo
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            let path = DecodingErrorDescription.path(of: error)
            throw PillarError.invalidRequest(
                DecodingErrorDescription.message(for: error),
                param: path == "(document)" ? nil : path,
                code: path == "(document)" ? "invalid_json" : "invalid_field")
        }
    }

    /// The whole body, refused when it is empty or larger than the limit.
    func bytes(of request: Request) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw tooLarge
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch {
            throw tooLarge
        }
        guard buffer.readableBytes > 0 else { throw PillarError.invalidRequest("The request body is empty.", code: "empty_body") }
        return buffer
    }

    var tooLarge: PillarError {
        PillarError(.payloadTooLarge, code: "payload_too_large", message: "The request body is larger than \(maxBytes) bytes.")
    }
}
