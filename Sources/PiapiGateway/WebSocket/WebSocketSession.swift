import NIOCore
import RouteTable

/// One established WebSocket session, from the `101` until both of its connections have
/// closed: counts the bytes each way, reads the server's frames for usage, closes a silent
/// tunnel after `--idle-timeout`, and reports each completed response and, at the end, the
/// session itself. Lives on the event loop of its two connections; nothing here is shared.
///
/// Limits: the handshake was admitted as one request (requests per minute, budgets); the
/// concurrency slot it took is held until the session ends, so an open tunnel counts as a
/// request in flight. Tokens count towards budgets as each response completes.
final class WebSocketSession {
    /// Which connection of the tunnel.
    enum Side {
        case client
        case upstream
    }

    /// What the session carries over from its handshake request.
    struct Origin {
        var requestID: String
        var path: String
        var user: String
        var serviceType: String
        var provider: String
        var keyName: String
        var serving: ServingTable
        /// The user whose concurrency slot the session holds; nil for a user without limits.
        var limitedUser: KeyDigest?
        /// The credential the handshake carried upstream, kept out of the recorded model.
        var credential: InjectedCredential?
    }

    private let origin: Origin
    private let telemetry: any Telemetry
    private let limits: LimitStore
    private let idleTimeout: TimeAmount
    private let opened = NIODeadline.now()
    private var lastActivity = NIODeadline.now()
    private var idleTimer: Scheduled<Void>?
    private var reader: WebSocketUsageReader
    /// The client's frames, followed only to see its close frame.
    private var clientFrames: WebSocketFrameReader
    /// Whose close frame came first: the side that ended the session, whoever then closes
    /// the TCP connection first (a client half-closes right after the handshake it answered).
    private var closeInitiator: Side?
    private var reason: WebSocketCloseReason?
    private var draining = false
    private var openSides = 2
    /// The session was reported (log line, metrics, limits): once only.
    private var ended = false
    private var bytesIn = 0
    private var bytesOut = 0
    /// Bytes not yet added to the byte counters (added once per read burst).
    private var unreportedIn = 0
    private var unreportedOut = 0
    private var responses = 0
    /// Where the previous response ended: its successor's row covers the time and bytes since.
    private var lastResponseAt = NIODeadline.now()
    private var bytesAtLastResponse = (in: 0, out: 0)
    private var summed: UsageReport?
    private var summedCost: Double?
    /// Why the last uncounted response's usage was unknown, for the session's log line.
    private var lastUnknown: UsageUnknownReason?
    /// Closes both connections (set by the tunnel once it is in place).
    var closeTunnel: () -> Void = {}

    init(
        origin: Origin, extensions: WebSocketExtensions, telemetry: any Telemetry, limits: LimitStore,
        idleTimeout: TimeAmount
    ) {
        self.origin = origin
        self.telemetry = telemetry
        self.limits = limits
        self.idleTimeout = idleTimeout
        reader = WebSocketUsageReader(extensions: extensions)
        clientFrames = WebSocketFrameReader(extensions: extensions, readsText: false)
    }

    /// The tunnel is in place: the session counts as open and its idle clock runs.
    func start(on eventLoop: any EventLoop) {
        telemetry.webSocketOpened(serviceType: origin.serviceType)
        scheduleIdleCheck(on: eventLoop, at: lastActivity + idleTimeout)
    }

    /// Bytes read from `side`, about to be written to the other.
    func passed(_ bytes: ByteBuffer, from side: Side) {
        lastActivity = .now()
        switch side {
        case .client:
            bytesIn += bytes.readableBytes
            unreportedIn += bytes.readableBytes
            if closeInitiator == nil {
                clientFrames.feed(bytes) { _ in }
                if clientFrames.sawClose { closeInitiator = .client }
            }
        case .upstream:
            bytesOut += bytes.readableBytes
            unreportedOut += bytes.readableBytes
            reader.feed(bytes) { responseCompleted($0) }
            if closeInitiator == nil, reader.sawClose { closeInitiator = .upstream }
        }
    }

    /// A read burst ended: the byte counters catch up.
    func burstEnded() {
        guard unreportedIn > 0 || unreportedOut > 0 else { return }
        telemetry.webSocketBytes(serviceType: origin.serviceType, fromClient: unreportedIn, fromUpstream: unreportedOut)
        unreportedIn = 0
        unreportedOut = 0
    }

    /// The gateway is shutting down: from now on an end is the drain's.
    func drainRequested() {
        draining = true
    }

    /// A socket error on `side`; the tunnel closes.
    func failed() {
        if reason == nil { reason = .error }
    }

    /// One connection closed: the first to close names the reason and ends the session (its
    /// partner only flushes what it was sent last, then closes). The idle clock runs on until
    /// both are closed, so a partner whose peer never reads that last write is closed too.
    func closed(_ side: Side) {
        openSides -= 1
        if !ended {
            if reason == nil {
                reason = draining ? .drain : (closeInitiator ?? side) == .client ? .clientClosed : .upstreamClosed
            }
            end()
        }
        stopIdleClockIfDone()
    }

    private func stopIdleClockIfDone() {
        guard openSides <= 0 else { return }
        idleTimer?.cancel()
        idleTimer = nil
    }

    private func scheduleIdleCheck(on eventLoop: any EventLoop, at time: NIODeadline) {
        idleTimer = eventLoop.assumeIsolated().scheduleTask(deadline: time) { [weak self] in
            self?.idleCheck(on: eventLoop)
        }
    }

    /// One timer per session, moved only when it fires early: busy tunnels do not churn timers.
    private func idleCheck(on eventLoop: any EventLoop) {
        idleTimer = nil
        guard openSides > 0 else { return }
        let due = lastActivity + idleTimeout
        if due > .now() { return scheduleIdleCheck(on: eventLoop, at: due) }
        if reason == nil { reason = .idleTimeout }
        closeTunnel()
    }

    private func responseCompleted(_ read: UsageReport) {
        let usage = read.hidingCredential(origin.credential)
        responses += 1
        var record = RequestRecord(
            requestID: "\(origin.requestID).\(responses)", method: "GET", path: origin.path,
            status: 200, latencySeconds: RequestRecordBuilder.seconds(since: lastResponseAt),
            bytesIn: bytesIn - bytesAtLastResponse.in, bytesOut: bytesOut - bytesAtLastResponse.out)
        lastResponseAt = .now()
        bytesAtLastResponse = (bytesIn, bytesOut)
        record.user = origin.user
        record.serviceType = origin.serviceType
        record.upstreamProvider = origin.provider
        record.upstreamKey = origin.keyName
        record.tableHash = origin.serving.hash
        record.usage = usage
        if usage.unknownReason == nil, let model = usage.model, let price = origin.serving.table.price(for: model) {
            record.costUSD = price.cost(
                input: usage.input ?? 0, output: usage.output ?? 0,
                cacheRead: usage.cacheRead ?? 0, cacheWrite: usage.cacheWrite ?? 0)
        }
        telemetry.webSocketResponseCompleted(record)
        if let user = origin.limitedUser {
            limits.charge(user, tokens: record.budgetTokens, usd: record.costUSD ?? 0)
        }
        if let reason = usage.unknownReason { lastUnknown = reason }
        guard usage.unknownReason == nil else { return }
        summed = Self.sum(summed, usage)
        if let cost = record.costUSD { summedCost = (summedCost ?? 0) + cost }
    }

    private static func sum(_ total: UsageReport?, _ next: UsageReport) -> UsageReport {
        guard var total else { return next }
        func add(_ a: Int?, _ b: Int?) -> Int? { a == nil && b == nil ? nil : (a ?? 0) + (b ?? 0) }
        total.model = next.model ?? total.model
        total.input = add(total.input, next.input)
        total.cacheRead = add(total.cacheRead, next.cacheRead)
        total.cacheWrite = add(total.cacheWrite, next.cacheWrite)
        total.output = add(total.output, next.output)
        total.reasoning = add(total.reasoning, next.reasoning)
        total.partial = total.partial || next.partial
        return total
    }

    private func end() {
        ended = true
        burstEnded()
        // A response cut off by the end of the session: the usage seen so far, marked partial.
        if let partial = reader.unfinished() { responseCompleted(partial) }
        let record = WebSocketSessionRecord(
            requestID: origin.requestID, path: origin.path, user: origin.user, serviceType: origin.serviceType,
            upstreamProvider: origin.provider, upstreamKey: origin.keyName,
            durationSeconds: RequestRecordBuilder.seconds(since: opened), bytesIn: bytesIn, bytesOut: bytesOut,
            closeReason: reason ?? .error, closeCode: reader.closeCode, responses: responses, usage: summed,
            costUSD: summedCost, usageUnknown: lastUnknown, usageError: reader.failure?.rawValue,
            tableHash: origin.serving.hash)
        telemetry.webSocketClosed(record)
        if let user = origin.limitedUser { limits.finish(user, tokens: 0, usd: 0) }
    }
}

extension WebSocketSession {
    /// The session of `exchange`, whose upstream answered `head` (the `101`): it takes over
    /// the exchange's hold on the user's limits.
    convenience init(_ exchange: ProxyExchange, head: ResponseHead, shared: GatewayContext) {
        let origin = Origin(
            requestID: exchange.requestID, path: exchange.head.string(exchange.head.path), user: exchange.user,
            serviceType: exchange.serviceType, provider: exchange.target?.provider ?? "",
            keyName: exchange.target?.keyName ?? "", serving: exchange.prepared.serving,
            limitedUser: exchange.limitedUser, credential: exchange.credential)
        self.init(
            origin: origin, extensions: WebSocketExtensions(header: head.value(of: Self.extensionsHeader)),
            telemetry: shared.telemetry, limits: shared.limits, idleTimeout: shared.configuration.idleTimeout)
    }

    private static let extensionsHeader = Array("sec-websocket-extensions".utf8)
}
