import NIOCore
import NIOHTTPTypes
import PillarCore

/// Bounds how long a request may take to arrive: from the moment the connection waits for one (it opened, or
/// the previous response ended) until the request's last body byte. Hummingbird's idle timeout is reset by
/// every part it reads, so a client that sends its body a byte a second would hold the connection forever.
///
/// A connection that times out before any request head is closed without a word (it may be an idle
/// keep-alive connection, or a head sent a byte at a time); one whose body is late gets a JSON 408 first.
final class RequestReadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    /// A request head has arrived and its end has not.
    private var readingRequest = false
    /// Requests whose responses have not ended yet.
    private var inFlight = 0
    private var responseOpen = false

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            readingRequest = true
            inFlight += 1
        case .body:
            break
        case .end:
            readingRequest = false
            // The request is all here: how long it takes to answer is the gateway's deadlines' business.
            disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head:
            responseOpen = true
        case .body:
            break
        case .end:
            responseOpen = false
            inFlight = max(0, inFlight - 1)
            if inFlight == 0 || readingRequest { arm(context) }
        }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard deadline == nil else { return }
        let loopBound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            handler.deadline = nil
            handler.expire(context)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    private func expire(_ context: ChannelHandlerContext) {
        if readingRequest, !responseOpen {
            let seconds = Double(timeout.nanoseconds) / 1e9
            PillarHTTPError(.invalidRequest("The request did not arrive within \(seconds) s.", code: "request_timeout"))
                .writeAndClose(context: context, status: .requestTimeout)
        } else {
            context.close(promise: nil)
        }
    }
}
