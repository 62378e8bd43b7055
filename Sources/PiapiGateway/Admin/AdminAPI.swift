import RouteTable

/// The admin listener's answers, independent of the network: `respond` takes a request's
/// method, target and `Authorization` header and returns the response, so tests can call it
/// directly. Read-only by design: nothing here changes what the gateway does.
public struct AdminAPI: Sendable {
    public var tables: TableStore
    /// The table file, as given on the command line.
    public var tablePath: String
    public var candidates: CandidateRouter
    public var activity: AdminActivity
    public var reloads: ReloadHistory
    public var usage: any AdminUsageSource
    public var limits: any AdminLimitsSource
    public var authorization: AdminAuthorization
    /// The main listener's `/metrics` text.
    public var metricsText: @Sendable () -> String
    /// Open client connections on the main listener.
    public var openConnections: @Sendable () -> Int
    public var publicMetrics: Bool
    /// Seconds since 1970 when the process started.
    public var startedAt: Double
    public var wallSeconds: @Sendable () -> Double

    public init(
        tables: TableStore, tablePath: String, candidates: CandidateRouter, activity: AdminActivity,
        reloads: ReloadHistory, usage: (any AdminUsageSource)? = nil,
        limits: any AdminLimitsSource = NoLimitsSource(), authorization: AdminAuthorization,
        metricsText: @escaping @Sendable () -> String, openConnections: @escaping @Sendable () -> Int,
        publicMetrics: Bool = true, startedAt: Double,
        wallSeconds: @escaping @Sendable () -> Double = FailoverClock.system.wallSeconds
    ) {
        self.tables = tables
        self.tablePath = tablePath
        self.candidates = candidates
        self.activity = activity
        self.reloads = reloads
        self.usage = usage ?? activity
        self.limits = limits
        self.authorization = authorization
        self.metricsText = metricsText
        self.openConnections = openConnections
        self.publicMetrics = publicMetrics
        self.startedAt = startedAt
        self.wallSeconds = wallSeconds
    }

    /// Headers on every answer: never cached, never sniffed or framed, no referrer.
    static let commonHeaders: [(String, String)] = [
        ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "no-referrer"),
    ]

    /// The answer to one request. `HEAD` gets `GET`'s headers (the caller drops the body).
    public func respond(method: String, uri: String, authorization header: String?) async -> AdminResponse {
        var response = await answer(method: method, uri: uri, authorization: header)
        response.headers += Self.commonHeaders
        return response
    }

    private func answer(method: String, uri: String, authorization header: String?) async -> AdminResponse {
        guard authorization.allows(authorization: header) else { return .unauthorized }
        guard method == "GET" || method == "HEAD" else {
            var response = AdminResponse.error(
                405, "method_not_allowed", "the admin listener is read-only: GET and HEAD only")
            response.headers.append(("Allow", "GET, HEAD"))
            return response
        }
        let target = AdminRequestTarget(uri)
        switch target.path {
        case "/", "/index.html":
            return AdminPage.response
        case "/api/status":
            return .json(status())
        case "/api/routes":
            return routesAnswer(target)
        case "/api/requests":
            return requests(target)
        case "/api/usage":
            return await usageAnswer(target)
        case "/api/limits":
            return .json(limitsAnswer())
        case "/metrics":
            return AdminResponse(
                status: 200, headers: [("Content-Type", "text/plain; version=0.0.4")],
                body: Array(metricsText().utf8))
        default:
            return .error(404, "not_found", "no such admin endpoint")
        }
    }

    // MARK: - /api/status

    func status() -> AdminJSON {
        let serving = tables.current
        let now = wallSeconds()
        let reloads = reloads.entries.map { entry -> AdminJSON in
            .object([
                ("time", .timestamp(entry.time)), ("result", .string(entry.result)),
                ("hash", .string(entry.hash)), ("error", .string(entry.error)),
            ])
        }
        return .object([
            ("version", .string(PiapiVersion.current)),
            ("started_at", .timestamp(startedAt)),
            ("now", .timestamp(now)),
            ("uptime_seconds", .double((max(0, now - startedAt) * 10).rounded() / 10)),
            (
                "table",
                .object([
                    ("hash", .string(ReloadHistory.prefix(serving.hash))),
                    ("path", .string(tablePath)),
                    ("loaded_at", .timestamp(self.reloads.loadedAt)),
                    ("users", .int(serving.table.users.count)),
                    ("routes", .int(serving.table.routeCount)),
                ])
            ),
            ("reloads", .array(reloads)),
            ("open_connections", .int(openConnections())),
            ("in_flight", .int(activity.inFlight)),
            ("recent_capacity", .int(activity.recentCapacity)),
            ("public_metrics", .bool(publicMetrics)),
            ("usage_source", .string(usage.usageSourceName)),
            ("limits_source", .string(limits.limitsSourceName)),
        ])
    }

    // MARK: - /api/routes

    func routesAnswer(_ target: AdminRequestTarget) -> AdminResponse {
        var limit = Int.max
        if let text = target.value("limit") {
            guard let value = Self.positiveInteger(text) else {
                return .error(400, "bad_request", "limit must be a whole number of at least 1")
            }
            limit = value
        }
        return .json(routes(user: target.filter("user"), service: target.filter("service"), limit: limit))
    }

    /// What the failover router itself knows (`CandidateRouter.snapshot`): the error rate and
    /// effective weight shown are the ones requests are spread by, not a second count kept here.
    func routes(user userFilter: String? = nil, service serviceFilter: String? = nil, limit: Int = .max) -> AdminJSON {
        let serving = tables.current
        let snapshot = candidates.snapshot(of: serving)
        let pairs = Dictionary(uniqueKeysWithValues: snapshot.pairs.map { ($0.pair, $0) })

        func health(_ pair: CandidatePair) -> [(String, AdminJSON)] {
            let state = pairs[pair]
            return [
                ("healthy", .bool((state?.cooldownSeconds ?? 0) == 0)),
                ("cooldown_seconds", .double(((state?.cooldownSeconds ?? 0) * 10).rounded(.up) / 10)),
                ("last_outcome", .string(state?.lastOutcome?.rawValue)),
                ("last_attempt_seconds_ago", .double(state?.secondsSinceLastTry.map { ($0 * 10).rounded() / 10 })),
                ("error_rate", .double(((state?.errorRate ?? 0) * 1000).rounded() / 1000)),
                ("attempts", .int(state?.attempts ?? 0)),
            ]
        }

        let matching = snapshot.routes.filter { route in
            (userFilter == nil || route.user == userFilter) && (serviceFilter == nil || route.service == serviceFilter)
        }
        let routes = matching.prefix(limit).map { route -> AdminJSON in
            let candidates = route.candidates.map { candidate -> AdminJSON in
                .object(
                    [
                        ("provider", .string(candidate.pair.provider)), ("key", .string(candidate.pair.key)),
                        ("weight", .int(Int(candidate.weight))), ("enabled", .bool(candidate.enabled)),
                    ] + health(candidate.pair) + [
                        ("effective_weight", .double((candidate.effectiveWeight * 1000).rounded() / 1000))
                    ])
            }
            return .object([
                ("user", .string(route.user)), ("service", .string(route.service)),
                ("strategy", .string(route.strategy.name)), ("candidates", .array(candidates)),
            ])
        }
        return .object([
            ("table", .string(ReloadHistory.prefix(serving.hash))),
            ("total", .int(matching.count)),
            ("routes", .array(Array(routes))),
            (
                "pairs",
                .array(
                    snapshot.pairs.map { state in
                        .object(
                            [("provider", .string(state.pair.provider)), ("key", .string(state.pair.key))]
                                + health(state.pair))
                    })
            ),
        ])
    }

    // MARK: - /api/requests

    func requests(_ target: AdminRequestTarget) -> AdminResponse {
        var filter = RecentRequestFilter(
            user: target.filter("user"), service: target.filter("service"),
            status: target.value("status"))
        if let status = filter.status, !RecentRequestFilter.isValidStatus(status) {
            return .error(400, "bad_request", "status must be a status code (429) or a class (5xx)")
        }
        if let limitText = target.value("limit") {
            guard let limit = Self.positiveInteger(limitText) else {
                return .error(400, "bad_request", "limit must be a whole number of at least 1")
            }
            filter.limit = min(limit, max(1, activity.recentCapacity))
        }
        let requests = activity.recent(filter).map(Self.json)
        return .json(
            .object([
                ("capacity", .int(activity.recentCapacity)),
                ("count", .int(requests.count)),
                ("requests", .array(requests)),
            ]))
    }

    /// A whole number of at least 1 in decimal digits; one too large for `Int` is `Int.max`
    /// (a limit that large means "all").
    static func positiveInteger(_ text: String) -> Int? {
        let digits = Substring(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        guard let value = Int(digits) else { return Int.max }
        return value >= 1 ? value : nil
    }

    /// The log line's fields of one request (the path without its query string).
    static func json(_ request: RecentRequest) -> AdminJSON {
        let record = request.record
        let path =
            record.path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
            ?? ""
        return .object([
            ("timestamp", .timestamp(request.finishedAt)),
            ("request_id", .string(record.requestID)),
            ("method", .string(record.method)),
            ("path", .string(path)),
            ("user", .string(record.user)),
            ("service_type", .string(record.serviceType)),
            ("upstream_provider", .string(record.upstreamProvider)),
            ("upstream_key", .string(record.upstreamKey)),
            ("status", .int(record.status)),
            ("latency_ms", .double((record.latencySeconds * 1_000_000).rounded() / 1000)),
            ("bytes_in", .int(record.bytesIn)),
            ("bytes_out", .int(record.bytesOut)),
            ("table", .string(request.table)),
            (
                "attempts",
                .array(
                    record.attempts.map {
                        .object([
                            ("provider", .string($0.provider)), ("key", .string($0.key)),
                            ("outcome", .string($0.outcome.rawValue)),
                        ])
                    })
            ),
            ("error", .string(record.error)),
            ("usage", request.usage?.json ?? .null),
        ])
    }

    // MARK: - /api/usage

    func usageAnswer(_ target: AdminRequestTarget) async -> AdminResponse {
        var query = UsageQuery()
        if let since = target.value("since") {
            guard let day = Self.day(parsing: since) else {
                return .error(
                    400, "bad_request", "since must be a date (2026-11-28) or an RFC 3339 time; it counts by UTC day")
            }
            query.sinceDay = day
        }
        if let by = target.value("by") {
            var dimensions: [UsageDimension] = []
            for name in by.split(separator: ",", omittingEmptySubsequences: false) {
                guard let dimension = UsageDimension(rawValue: String(name)) else {
                    let names = UsageDimension.allCases.map(\.rawValue).joined(separator: ", ")
                    return .error(400, "bad_request", "by takes a comma-separated list of: \(names)")
                }
                if !dimensions.contains(dimension) { dimensions.append(dimension) }
            }
            query.by = dimensions
        }
        let rows: [UsageRow]
        do {
            rows = try await usage.usage(query)
        } catch {
            return .error(503, "usage_unavailable", "the usage source could not answer")
        }
        var totals = UsageCounts()
        for row in rows { totals.add(row.counts) }
        let sorted = rows.sorted { a, b in
            for dimension in query.by {
                let x = a.group[dimension] ?? nil
                let y = b.group[dimension] ?? nil
                if x == y { continue }
                guard let x else { return false }
                guard let y else { return true }
                return x < y
            }
            return false
        }
        return .json(
            .object([
                ("source", .string(usage.usageSourceName)),
                ("since", .string(query.sinceDay.map(AdminJSON.dayText))),
                ("started_at", .timestamp(startedAt)),
                ("by", .array(query.by.map { .string($0.rawValue) })),
                (
                    "rows",
                    .array(
                        sorted.map { row in
                            .object(
                                query.by.map { ($0.rawValue, .string(row.group[$0] ?? nil)) } + row.counts.jsonFields)
                        })
                ),
                ("totals", .object(totals.jsonFields)),
            ]))
    }

    /// `YYYY-MM-DD`, or an RFC 3339 time whose UTC day is used, as days since 1970.
    static func day(parsing text: String) -> Int? {
        let bytes = Array(text.utf8)
        guard
            bytes.count == 10
                || (bytes.count > 10 && (bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"))),
            bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard bytes[range].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
            return Int(String(decoding: bytes[range], as: UTF8.self))
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        let days = UTCCalendar.days(fromYear: year, month: month, day: day)
        // 2026-02-31 would roll into March: refuse it instead.
        guard JSONLine.civilDate(daysSinceEpoch: days) == (year, month, day) else { return nil }
        return days
    }

    // MARK: - /api/limits

    func limitsAnswer() -> AdminJSON {
        let reports = limits.limits().sorted { $0.user < $1.user }
        return .object([
            ("source", .string(limits.limitsSourceName)),
            (
                "users",
                .array(
                    reports.map { report in
                        let l = report.limits
                        return .object([
                            ("user", .string(report.user)),
                            (
                                "limits",
                                .object([
                                    ("requests_per_minute", .int(l.requestsPerMinute)),
                                    ("concurrent_requests", .int(l.concurrentRequests)),
                                    ("tokens_per_day", .int(l.tokensPerDay)),
                                    ("tokens_per_month", .int(l.tokensPerMonth)),
                                    ("usd_per_day", .double(l.usdPerDay)),
                                    ("usd_per_month", .double(l.usdPerMonth)),
                                ])
                            ),
                            (
                                "use",
                                .object([
                                    ("in_flight", .int(report.inFlight)),
                                    ("requests_last_minute", .int(report.lastMinute)),
                                    ("tokens_today", .int(report.spent.dayTokens)),
                                    ("tokens_this_month", .int(report.spent.monthTokens)),
                                    ("usd_today", .double((report.spent.dayUSD * 1e6).rounded() / 1e6)),
                                    ("usd_this_month", .double((report.spent.monthUSD * 1e6).rounded() / 1e6)),
                                ])
                            ),
                        ])
                    })
            ),
        ])
    }
}
