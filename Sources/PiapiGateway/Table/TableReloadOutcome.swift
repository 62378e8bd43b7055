/// What one reload attempt did, returned to whoever asked for it (SIGHUP, tests) and also
/// reported through metrics and the log.
public enum TableReloadOutcome: Equatable, Sendable {
    /// A new table is now being served.
    case reloaded(hash: String, routeCount: Int)
    /// The file holds the table already being served (or did not change since the last look).
    case unchanged
    /// The file could not be used; the table being served stays.
    case failed(TableLoadError)
}
