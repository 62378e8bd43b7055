import Glibc
import Logging
import NIOCore
import NIOPosix

/// piapi-serve from table file to exit: load the table, serve it, follow its file and SIGHUP,
/// and on SIGTERM/SIGINT drain and return. It lives in the library so the executable is only
/// flag parsing, and so every step here can be reached from tests.
public struct GatewayProcess: Sendable {
    public var tablePath: String
    public var configuration: GatewayConfiguration
    public var logLevel: Logger.Level
    public var environment: [String: String]
    /// Where request log lines go (other log lines go through the bootstrapped `LoggingSystem`).
    public var logSink: any LogLineSink

    public init(
        tablePath: String, configuration: GatewayConfiguration, logLevel: Logger.Level,
        environment: [String: String], logSink: any LogLineSink = FileDescriptorLogSink.standardOutput
    ) {
        self.tablePath = tablePath
        self.configuration = configuration
        self.logLevel = logLevel
        self.environment = environment
        self.logSink = logSink
    }

    /// Loads the table, which must be valid: a missing or corrupt file, or a `${VAR}` that is
    /// unset, empty or holds a control character, is a start-up error.
    public func loadTable() throws(GatewayStartupError) -> ServingTable {
        do {
            return try TableLoader(
                path: tablePath, environment: environment,
                allowed: configuration.environmentAllowList
            ).load()
        } catch {
            throw GatewayStartupError(error.description)
        }
    }

    /// The admin listener's settings with the token from the environment when none was set,
    /// or the start-up error of an address that needs a token and has none (or a short one).
    public func adminConfiguration() throws(GatewayStartupError) -> AdminConfiguration? {
        guard var admin = configuration.admin else { return nil }
        if admin.token == nil, let token = environment[AdminConfiguration.tokenVariable], !token.isEmpty {
            admin.token = token
        }
        if let refusal = admin.refusal { throw GatewayStartupError(refusal) }
        return admin
    }

    /// Serves until SIGTERM or SIGINT, then drains for at most `configuration.drainTimeout` and
    /// returns. Throws only while starting (table, CA file, listening socket).
    public func run() async throws(GatewayStartupError) {
        var logger = Logger(label: "piapi-serve")
        logger.logLevel = logLevel
        let startedAt = FailoverClock.system.wallSeconds()
        let admin = try adminConfiguration()
        let initial = try loadTable()
        if let loose = TableFilePermissions.looselyWritable(tablePath) {
            logger.warning(
                "the route table can be changed by others than its owner: whoever writes it decides where provider keys go",
                metadata: ["path": "\(loose)"])
        }
        if let caFile = configuration.upstreamCAFile, access(caFile, R_OK) != 0 {
            throw GatewayStartupError("cannot read --upstream-ca-file \(caFile)")
        }
        let tables = TableStore(initial)
        let metrics = GatewayMetrics()
        metrics.tableInstalled(initial)
        let candidates = CandidateRouter(tables: tables, adaptive: configuration.adaptive)
        let limits = LimitStore()
        let activity = admin.map { AdminActivity(recentCapacity: $0.recentCapacity, usageOf: RecordedUsage.init) }
        let reloads = ReloadHistory(loadedAt: startedAt)
        let usage = UsageMetrics(
            registry: metrics.registry, userLabel: configuration.metricsUserLabel,
            pricedModels: initial.table.pricedModels)
        var ledger: LedgerSession?
        if let text = configuration.ledger {
            ledger = try await LedgerSession.open(
                text, retentionDays: configuration.ledgerRetentionDays,
                environment: environment, limits: limits, tables: tables,
                dropped: usage.ledgerDropped, logger: logger)
        }
        let telemetry = GatewayTelemetry(
            metrics: metrics, requestLog: RequestLogWriter(sink: logSink, logLevel: logLevel),
            tables: tables, candidates: candidates, usage: usage, observer: activity,
            ledger: ledger?.writer)
        let recordsReloads = admin != nil
        let onReload: @Sendable (TableReloadOutcome) -> Void = { outcome in
            // Counters of keys the new table no longer has are forgotten; the others stay.
            if case .reloaded = outcome { limits.keep(usersOf: tables.current.table) }
            if recordsReloads { reloads.record(outcome) }
        }
        let watcher = TableWatcher(
            loader: TableLoader(
                path: tablePath, environment: environment,
                allowed: configuration.environmentAllowList), store: tables,
            metrics: metrics, logger: logger, onOutcome: onReload)
        let (terminations, terminate) = AsyncStream<Int32>.makeStream()
        // Weak: a cancelled signal source is released later, on its queue; it must not keep the
        // watcher alive after run() returns (LeakSanitizer then flags its weak-reference table).
        let signals = ProcessSignals(
            onTerminate: { terminate.yield($0) }, onReload: { [weak watcher] in watcher?.reload() })
        defer { signals.cancel() }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads)
        let server = GatewayServer(
            configuration: configuration, tables: tables, telemetry: telemetry, group: group,
            logger: logger, candidates: candidates, limits: limits)
        let address: SocketAddress
        do {
            address = try await server.start()
        } catch {
            try? await group.shutdownGracefully()
            let listen = ListenAddress(host: configuration.host, port: configuration.port)
            throw GatewayStartupError("cannot start serving on \(listen): \(error)")
        }
        var adminServer: AdminServer?
        var started: Logger.Metadata = [:]
        if let admin, let activity {
            let api = AdminAPI(
                tables: tables, tablePath: tablePath, candidates: candidates, activity: activity,
                reloads: reloads, limits: LimitStoreSource(tables: tables, store: limits),
                authorization: AdminAuthorization(token: admin.token),
                metricsText: { telemetry.metricsText() }, openConnections: { server.openConnections },
                publicMetrics: configuration.publicMetrics, startedAt: startedAt)
            let listener = AdminServer(api: api, listen: admin.listen, group: group, logger: logger)
            do {
                let bound = try await listener.start()
                started["admin"] = "\(ListenAddress(host: bound.ipAddress ?? admin.listen.host, port: bound.port ?? 0))"
            } catch {
                await server.drain(timeout: .zero)
                try? await group.shutdownGracefully()
                throw GatewayStartupError("cannot start the admin listener on \(admin.listen): \(error)")
            }
            adminServer = listener
        }
        watcher.start()
        started["listen"] = "\(ListenAddress(host: address.ipAddress ?? configuration.host, port: address.port ?? 0))"
        started["table"] = "\(initial.hash)"
        started["routes"] = .stringConvertible(initial.table.routeCount)
        started["threads"] = .stringConvertible(configuration.eventLoopThreads)
        started["path"] = "\(tablePath)"
        logger.info("piapi-serve started", metadata: started)

        var pending = terminations.makeAsyncIterator()
        let received = await pending.next()
        logger.info(
            "draining",
            metadata: [
                "signal": .stringConvertible(Int(received ?? 0)),
                "timeout_s": .stringConvertible(Double(configuration.drainTimeout.nanoseconds) / 1e9),
            ])
        await server.drain(timeout: configuration.drainTimeout)
        await adminServer?.stop()
        watcher.stop()
        await ledger?.close()
        try? await group.shutdownGracefully()
        logger.info("piapi-serve stopped")
    }
}
