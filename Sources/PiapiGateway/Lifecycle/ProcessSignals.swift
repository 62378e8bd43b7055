import Dispatch
import Glibc

/// Takes SIGTERM, SIGINT and SIGHUP away from their default (fatal) actions and delivers them
/// as callbacks on a dispatch queue, where a handler may do real work such as a reload.
/// The sources are set once in `init` and only cancelled afterwards, which dispatch allows from
/// any thread; hence `@unchecked Sendable`.
public final class ProcessSignals: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    /// - Parameters:
    ///   - onTerminate: called with the signal number on SIGTERM or SIGINT.
    ///   - onReload: called on SIGHUP.
    public init(onTerminate: @escaping @Sendable (Int32) -> Void, onReload: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "piapi.signals")
        // A client that closes its end early must not kill the process through a broken pipe.
        signal(SIGPIPE, SIG_IGN)
        var sources: [any DispatchSourceSignal] = []
        let handlers: [(Int32, @Sendable () -> Void)] = [
            (SIGTERM, { onTerminate(SIGTERM) }), (SIGINT, { onTerminate(SIGINT) }), (SIGHUP, onReload),
        ]
        for (number, handler) in handlers {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler(handler: handler)
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    /// Stops delivering; the signals stay ignored.
    public func cancel() {
        for source in sources { source.cancel() }
    }
}
