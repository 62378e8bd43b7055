import ArgumentParser
import Logging
import PiapiGateway

/// piapi-serve's command line; everything it accepts maps onto `GatewayConfiguration`.
struct ServeOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "piapi-serve",
        abstract: "Serve a compiled piapi route table as an HTTP gateway.",
        discussion: """
            Reloads the table when its file changes or on SIGHUP; drains and exits on SIGTERM or SIGINT.
            ${VAR} references in the table are resolved from the environment at every load.
            """
    )

    @Argument(help: "The compiled route table (binary or JSON, as written by piapi-compile).")
    var table: String

    @Option(help: ArgumentHelp("Address to listen on: :PORT, HOST:PORT or [IPv6]:PORT.", valueName: "address"))
    var listen = ":9200"

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel = "info"

    @Option(help: ArgumentHelp("Extra PEM roots trusted for https upstreams, besides the system's.", valueName: "pem"))
    var upstreamCaFile: String?

    @Option(help: ArgumentHelp("Seconds to wait for an upstream's response headers.", valueName: "seconds"))
    var upstreamTimeout = 300.0

    @Option(help: ArgumentHelp("Longest silence allowed mid-stream, in seconds.", valueName: "seconds"))
    var idleTimeout = 300.0

    @Option(help: ArgumentHelp("Seconds in-flight requests may run on after SIGTERM/SIGINT.", valueName: "seconds"))
    var drainTimeout = 30.0

    @Option(help: ArgumentHelp("Seconds a client has to send a complete request head.", valueName: "seconds"))
    var headerTimeout = 10.0

    @Option(help: ArgumentHelp("Seconds an idle keep-alive client connection stays open.", valueName: "seconds"))
    var keepaliveTimeout = 60.0

    @Option(help: ArgumentHelp("Most client connections open at once; more are closed at once.", valueName: "n"))
    var maxConnections = 10_000

    @Option(help: ArgumentHelp("Event-loop threads (default: one per core but one, at least one).", valueName: "n"))
    var threads: Int?

    @Option(
        help: ArgumentHelp(
            "Largest request body (bytes) kept for a retry on the next candidate.",
            valueName: "bytes"))
    var retryBodyLimit = 4 << 20

    @Option(help: ArgumentHelp("adaptive_rr: seconds for a key's error rate to halve (above 0).", valueName: "seconds"))
    var adaptiveHalfLife = 60.0

    @Option(
        help: ArgumentHelp(
            "adaptive_rr: the smallest share of its weight a failing key keeps (above 0, at most 1).",
            valueName: "fraction"))
    var adaptiveFloor = 0.1

    @Option(
        help: ArgumentHelp(
            """
            Serve the read-only status page and JSON API on this address (off by default). \
            A non-loopback address needs PIAPI_ADMIN_TOKEN (at least 16 characters).
            """, valueName: "address"))
    var adminListen: String?

    @Option(help: ArgumentHelp("Finished requests the admin listener keeps for /api/requests.", valueName: "n"))
    var adminRecent = 1000

    @Flag(help: "Do not answer /metrics on the main listener (serve it on --admin-listen instead).")
    var noPublicMetrics = false

    @Option(
        help: ArgumentHelp(
            """
            Record every finished request: sqlite:PATH or postgres://USER@HOST:PORT/DB (password from the URL or PGPASSWORD).
            """, valueName: "url"))
    var ledger: String?

    @Option(
        help: ArgumentHelp("Delete ledger rows older than this many days (at start, then hourly).", valueName: "days"))
    var ledgerRetention: Int?

    @Option(
        help: ArgumentHelp(
            "on or off: whether token and cost metrics carry a user label (one series per user).",
            valueName: "on|off"))
    var metricsUserLabel = "on"

    @Option(
        help: ArgumentHelp(
            """
            Environment variables the table's ${VAR} references may read: NAME or PREFIX* (repeat the flag). \
            Without it, any but PIAPI_ADMIN_TOKEN and PGPASSWORD.
            """, valueName: "pattern"))
    var envAllow: [String] = []

    func validate() throws {
        _ = try gatewayConfiguration()
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    var level: Logger.Level { Logger.Level(rawValue: logLevel) ?? .info }

    /// The configuration these flags describe, or the usage error for the first bad one.
    func gatewayConfiguration() throws -> GatewayConfiguration {
        var configuration = GatewayConfiguration()
        let address: ListenAddress
        do {
            address = try ListenAddress(parsing: listen)
        } catch {
            throw ValidationError("--listen \(error)")
        }
        configuration.host = address.host
        configuration.port = address.port
        do {
            configuration.upstreamTimeout = try Seconds.timeAmount(upstreamTimeout, flag: "--upstream-timeout")
            configuration.idleTimeout = try Seconds.timeAmount(idleTimeout, flag: "--idle-timeout")
            configuration.drainTimeout = try Seconds.timeAmount(drainTimeout, flag: "--drain-timeout")
            configuration.headerTimeout = try Seconds.timeAmount(headerTimeout, flag: "--header-timeout")
            configuration.keepAliveTimeout = try Seconds.timeAmount(keepaliveTimeout, flag: "--keepalive-timeout")
        } catch {
            throw ValidationError(error.description)
        }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        configuration.maxConnections = maxConnections
        if let threads {
            guard (1...GatewayConfiguration.maxEventLoopThreads).contains(threads) else {
                throw ValidationError("--threads must be between 1 and \(GatewayConfiguration.maxEventLoopThreads)")
            }
            configuration.eventLoopThreads = threads
        }
        guard retryBodyLimit >= 0 else { throw ValidationError("--retry-body-limit must not be negative") }
        configuration.retryBodyLimit = retryBodyLimit
        configuration.upstreamCAFile = upstreamCaFile
        do {
            configuration.adaptive = try AdaptiveWeighting(halfLife: adaptiveHalfLife, floor: adaptiveFloor)
        } catch {
            throw ValidationError(error.description)
        }
        configuration.publicMetrics = !noPublicMetrics
        guard metricsUserLabel == "on" || metricsUserLabel == "off" else {
            throw ValidationError("--metrics-user-label must be on or off")
        }
        configuration.metricsUserLabel = metricsUserLabel == "on"
        do {
            configuration.environmentAllowList = try EnvironmentAllowList(patterns: envAllow)
        } catch {
            throw ValidationError(error.description)
        }
        if let ledgerRetention {
            guard ledger != nil else { throw ValidationError("--ledger-retention needs --ledger") }
            guard ledgerRetention >= 1, ledgerRetention <= 36_500 else {
                throw ValidationError("--ledger-retention must be between 1 and 36500 days")
            }
        }
        configuration.ledger = ledger
        configuration.ledgerRetentionDays = ledgerRetention
        guard adminRecent >= 1, adminRecent <= 1_000_000 else {
            throw ValidationError("--admin-recent must be between 1 and 1000000")
        }
        if let adminListen {
            do {
                configuration.admin = AdminConfiguration(
                    listen: try ListenAddress(parsing: adminListen),
                    recentCapacity: adminRecent)
            } catch {
                throw ValidationError("--admin-listen \(error)")
            }
            if address.port != 0, configuration.admin?.listen == address {
                throw ValidationError("--admin-listen must differ from --listen")
            }
        }
        return configuration
    }
}
