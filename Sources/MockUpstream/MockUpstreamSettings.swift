/// How the mock upstream behaves: where it listens and how it paces a streamed answer.
public struct MockUpstreamSettings: Sendable, Equatable {
    public var listen: ListenAddress
    /// Number of `data:` events in a streamed answer, before `data: [DONE]`.
    public var events: Int
    /// Pause before each streamed event, in milliseconds.
    public var delayMilliseconds: Int

    public init(
        listen: ListenAddress = ListenAddress(host: "127.0.0.1", port: 9201),
        events: Int = 5,
        delayMilliseconds: Int = 200
    ) {
        self.listen = listen
        self.events = events
        self.delayMilliseconds = delayMilliseconds
    }
}
