/// What the gateway does with a final response head from the try in progress.
enum ResponseHeadDisposition: Equatable, Sendable {
    /// Read the failure response whole instead of forwarding it: a later candidate may still
    /// answer, and if none does the client gets this one.
    case capture
    /// Pass it on to the client: the exchange is committed to this try.
    case forward

    /// A failure is captured only once the whole request went upstream (a replay needs it all)
    /// and another candidate may be tried.
    static func of(_ outcome: AttemptOutcome, requestBodyDone: Bool, mayTryAnother: Bool) -> ResponseHeadDisposition {
        outcome.isFailure && requestBodyDone && mayTryAnother ? .capture : .forward
    }
}
