/// The one resend that is not failover: a kept-alive upstream connection the upstream closed
/// just as it was reused loses nothing of the request, so the same try is sent once more on a
/// fresh connection (the usual race of HTTP keep-alive, RFC 9112 §9.3.1).
enum StaleConnectionResend {
    /// Every condition must hold: the connection had carried a response before, no response
    /// of this try has started or is being captured, the whole body went up and can be sent
    /// again (it had none, or a replay holds it), and this try was not resent already.
    static func applies(
        connectionWasReused: Bool, responseStarted: Bool, capturing: Bool, requestBodyDone: Bool,
        bodyResendable: Bool, alreadyResent: Bool
    ) -> Bool {
        connectionWasReused && !responseStarted && !capturing && requestBodyDone && bodyResendable && !alreadyResent
    }
}
