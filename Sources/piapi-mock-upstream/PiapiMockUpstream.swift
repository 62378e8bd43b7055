import ArgumentParser
import Foundation
import MockUpstream

/// `piapi-mock-upstream`: a stand-in upstream that prints what piapi forwarded to it
/// (credentials redacted) and streams SSE on request. Parsing and wiring only.
@main
struct PiapiMockUpstream: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "piapi-mock-upstream",
        abstract: "A mock LLM upstream that shows what it receives, with credentials redacted.",
        discussion: """
            Every request gets one line on stdout and a JSON answer describing it: method, path, \
            query, which credential arrived (header or query item, value redacted) and the other \
            headers. A path ending in /stream, or a query with stream=1 or stream=true, is \
            answered with text/event-stream: --events events, --delay-ms apart, then data: [DONE].
            A request with ?dialect=chat|responses|messages (or a path starting with \
            /dialect/NAME/) is answered like that LLM API instead, with token usage, plain or \
            streamed; gzip=1 gzips the answer.
            """)

    @Option(help: "Address to listen on, HOST:PORT (port 0 picks a free one; it is printed).")
    var listen = ListenAddress(host: "127.0.0.1", port: 9201)

    @Option(help: "Number of SSE events in a streamed answer.")
    var events: Int = 5

    @Option(name: .customLong("delay-ms"), help: "Milliseconds before each SSE event.")
    var delayMilliseconds: Int = 200

    func validate() throws {
        guard (1...10_000).contains(events) else {
            throw ValidationError("--events must be between 1 and 10000")
        }
        guard (0...60_000).contains(delayMilliseconds) else {
            throw ValidationError("--delay-ms must be between 0 and 60000")
        }
    }

    func run() async throws {
        let settings = MockUpstreamSettings(listen: listen, events: events, delayMilliseconds: delayMilliseconds)
        let server = try await MockUpstreamServer.bind(settings: settings) { line in
            Self.printLine(line)
        }
        let bound = ListenAddress(host: listen.host, port: server.localAddress.port ?? listen.port)
        Self.printLine("piapi-mock-upstream listening on \(bound)")
        try await server.run()
    }

    /// Writes one line to stdout unbuffered, so a pipe or log file sees it at once.
    static func printLine(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Maps usage errors to exit status 2 (not 64) and runtime failures to a one-line error, exit 1.
    static func main() async {
        let command: PiapiMockUpstream
        do {
            command = try parse()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
        do {
            try await command.run()
        } catch {
            FileHandle.standardError.write(Data("piapi-mock-upstream: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
