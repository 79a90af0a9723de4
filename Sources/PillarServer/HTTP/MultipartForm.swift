import Foundation
import PillarCore

/// A `multipart/form-data` body (RFC 7578) split into its parts. Strict where it matters: a missing
/// boundary, a part without `Content-Disposition: form-data; name=…`, or a body that never closes is a 400,
/// never a guess.
struct MultipartForm: Sendable {
    struct Part: Sendable {
        var name: String
        var fileName: String?
        var contentType: String?
        var data: Data
    }

    static let maxParts = 100
    var parts: [Part]

    func field(_ name: String) -> String? {
        parts.first { $0.name == name && $0.fileName == nil }.map { String(decoding: $0.data, as: UTF8.self) }
    }

    func fields(_ name: String) -> [String] {
        parts.filter { $0.name == name && $0.fileName == nil }.map { String(decoding: $0.data, as: UTF8.self) }
    }

    func file(_ name: String) -> Part? { parts.first { $0.name == name } }

    init(body: Data, contentType: String) throws(PillarError) {
        guard let boundary = Self.parameter("boundary", in: contentType), !boundary.isEmpty, boundary.utf8.count <= 70 else {
            throw Self.invalid("The multipart Content-Type carries no usable boundary.")
        }
        let delimiter = Data("--\(boundary)".utf8)
        var parts: [Part] = []
        guard var cursor = body.range(of: delimiter)?.upperBound else {
            throw Self.invalid("The multipart body does not start with its boundary.")
        }
        while true {
            // After a delimiter: "--" closes the body, CRLF starts a part.
            if body[cursor...].starts(with: Data("--".utf8)) { break }
            guard body[cursor...].starts(with: Data("\r\n".utf8)) else {
                throw Self.invalid("A multipart boundary is malformed.")
            }
            cursor += 2
            guard let headerEnd = body.range(of: Data("\r\n\r\n".utf8), in: cursor..<body.endIndex) else {
                throw Self.invalid("A multipart part has no end to its headers.")
            }
            let headers = String(decoding: body[cursor..<headerEnd.lowerBound], as: UTF8.self)
            guard let next = body.range(of: Data("\r\n".utf8) + delimiter, in: headerEnd.upperBound..<body.endIndex) else {
                throw Self.invalid("The multipart body ends before its closing boundary.")
            }
            parts.append(try Self.part(headers: headers, data: body[headerEnd.upperBound..<next.lowerBound]))
            guard parts.count <= Self.maxParts else { throw Self.invalid("A form may hold at most \(Self.maxParts) parts.") }
            cursor = next.upperBound
        }
        self.parts = parts
    }

    private static func part(headers: String, data: Data) throws(PillarError) -> Part {
        var disposition: String?
        var contentType: String?
        for line in headers.components(separatedBy: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "content-disposition" { disposition = value }
            if name == "content-type" { contentType = value }
        }
        guard let disposition, disposition.lowercased().hasPrefix("form-data"),
            let name = parameter("name", in: disposition)
        else {
            throw invalid("A multipart part lacks 'Content-Disposition: form-data; name=…'.")
        }
        return Part(name: name, fileName: parameter("filename", in: disposition), contentType: contentType, data: Data(data))
    }

    /// A `key=value` or `key="value"` parameter of a header value.
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            var value = pair[1]
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return value
        }
        return nil
    }

    private static func invalid(_ message: String) -> PillarError {
        .invalidRequest(message, code: "invalid_multipart")
    }
}
