/// The event a draining server sends down every client connection: close when idle, and
/// answer the request in flight (if any) with `Connection: close`.
struct DrainRequest: Sendable {}
