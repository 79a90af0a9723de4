import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes
import PillarCore

extension PillarHTTPError {
    /// Answers with this error in the documented JSON format and closes the connection. For the channel
    /// handlers that must answer where no router runs: a request the HTTP parser refused, a request that took
    /// too long to arrive, a connection over the per-address cap. `status` replaces the kind's own status.
    func writeAndClose(context: ChannelHandlerContext, status: HTTPResponse.Status? = nil) {
        let data = (try? JSONEncoder().encode(body)) ?? Data()
        var fields: HTTPFields = [
            .contentType: "application/json", .cacheControl: "no-store", .connection: "close",
            .contentLength: String(data.count),
        ]
        if let seconds = error.retryAfterSeconds { fields[.retryAfter] = String(seconds) }
        context.write(
            NIOAny(HTTPResponsePart.head(HTTPResponse(status: status ?? self.status, headerFields: fields))), promise: nil)
        context.write(NIOAny(HTTPResponsePart.body(ByteBuffer(bytes: data))), promise: nil)
        context.writeAndFlush(NIOAny(HTTPResponsePart.end(nil)), promise: nil)
        context.close(promise: nil)
    }
}
