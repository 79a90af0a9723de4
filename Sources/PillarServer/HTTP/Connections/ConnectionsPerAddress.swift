import NIOCore
import NIOHTTPTypes
import PillarCore
import Synchronization

/// How many connections each client address has open, shared by every connection of one server.
final class ConnectionsPerAddress: Sendable {
    let limit: Int
    private let open = Mutex<[String: Int]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Counts a new connection from `address`; false (and nothing counted) when the address is at the limit.
    func admit(_ address: String) -> Bool {
        open.withLock { open in
            let count = open[address, default: 0]
            guard count < limit else { return false }
            open[address] = count + 1
            return true
        }
    }

    func release(_ address: String) {
        open.withLock { open in
            let count = open[address, default: 0] - 1
            open[address] = count > 0 ? count : nil
        }
    }

    func count(_ address: String) -> Int {
        open.withLock { $0[address, default: 0] }
    }
}

/// Refuses a connection past the per-address cap as soon as it opens, with a JSON 503 and `Connection: close`,
/// so that one client cannot hold all of the server's file descriptors (slow clients, or plain floods).
final class ConnectionCapHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let connections: ConnectionsPerAddress
    private var admitted: String?
    private var decided = false

    init(connections: ConnectionsPerAddress) {
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admitOrRefuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        admitOrRefuse(context)
    }

    private func admitOrRefuse(_ context: ChannelHandlerContext) {
        guard !decided else { return }
        decided = true
        // Without an IP (a Unix socket), there is no client to tell apart.
        let address = context.channel.remoteAddress?.ipAddress ?? "local"
        if connections.admit(address) {
            admitted = address
            return
        }
        var refusal = PillarError(
            .unavailable, code: "too_many_connections",
            message: "This address has \(connections.limit) connections open already; close one first.")
        refusal.retryAfterSeconds = 1
        PillarHTTPError(refusal).writeAndClose(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let admitted { connections.release(admitted) }
        admitted = nil
        context.fireChannelInactive()
    }
}
