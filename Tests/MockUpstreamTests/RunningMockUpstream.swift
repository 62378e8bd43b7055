import MockUpstream
import NIOCore

/// Starts a mock upstream on 127.0.0.1 port 0 for one test, records its report lines, and
/// stops it afterwards.
final class RunningMockUpstream: Sendable {
    let port: Int
    private let server: MockUpstreamServer
    private let recorder: LineRecorder
    private let runTask: Task<Void, any Error>

    static func with<Result>(
        events: Int = 5, delayMilliseconds: Int = 0, _ body: (RunningMockUpstream) async throws -> Result
    ) async throws -> Result {
        let running = try await RunningMockUpstream(events: events, delayMilliseconds: delayMilliseconds)
        do {
            let result = try await body(running)
            await running.stop()
            return result
        } catch {
            await running.stop()
            throw error
        }
    }

    private init(events: Int, delayMilliseconds: Int) async throws {
        let recorder = LineRecorder()
        let settings = MockUpstreamSettings(
            listen: ListenAddress(host: "127.0.0.1", port: 0), events: events, delayMilliseconds: delayMilliseconds)
        let server = try await MockUpstreamServer.bind(settings: settings) { line in
            recorder.append(line)
        }
        guard let port = server.localAddress.port else { throw MockUpstreamError.noLocalAddress }
        self.server = server
        self.port = port
        self.recorder = recorder
        self.runTask = Task { try await server.run() }
    }

    /// The report lines printed so far.
    var lines: [String] {
        recorder.lines
    }

    private func stop() async {
        await server.close()
        _ = try? await runTask.value
    }
}
