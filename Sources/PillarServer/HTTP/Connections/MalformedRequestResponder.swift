import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import PillarCore

/// Answers a request the HTTP parser refuses (headers or URL past the limits, broken syntax, a head that is
/// not valid HTTP) with a JSON error, where Hummingbird would answer 400 with an empty body. Should the error
/// arrive while a response is being written (a pipelined request), the refusal follows that response.
final class MalformedRequestResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var responseOpen = false
    private var pendingRefusal: PillarError?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responseOpen = true
        case .body: break
        case .end: responseOpen = false
        }
        context.write(data, promise: promise)
        if !responseOpen, let refusal = pendingRefusal {
            pendingRefusal = nil
            PillarHTTPError(refusal).writeAndClose(context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let refusal = Self.refusal(for: error) else {
            context.fireErrorCaught(error)
            return
        }
        if responseOpen {
            pendingRefusal = pendingRefusal ?? refusal
        } else {
            PillarHTTPError(refusal).writeAndClose(context: context)
        }
    }

    static func refusal(for error: any Error) -> PillarError? {
        if let parserError = error as? HTTPParserError {
            switch parserError {
            case .headerOverflow:
                return .invalidRequest(
                    "The request's line and headers are larger than the server accepts.",
                    code: "request_headers_too_large")
            default:
                return .invalidRequest("The request is not valid HTTP (\(parserError)).", code: "malformed_request")
            }
        }
        if error is HTTP1TypeConversionError {
            return .invalidRequest("The request's method, path or headers are not valid.", code: "malformed_request")
        }
        return nil
    }
}
