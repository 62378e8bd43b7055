/// Something besides the log and metrics that wants to see every request: the admin side's
/// recent-request ring, usage totals and per-candidate error rates. Called from the event
/// loops for every request, so an observer does one short lock round and no I/O.
public protocol RequestObserver: Sendable {
    /// A request was accepted and is now in flight.
    func requestStarted()

    /// A request ended; `tableHash` is the hash its log line shows.
    func requestFinished(_ record: RequestRecord, tableHash: String)
}
