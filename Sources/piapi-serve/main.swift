// Minimal wiring until the full executable (flags, reloads, signals, metrics) lands:
// `piapi-serve TABLE [--listen HOST:PORT]`.
import Foundation
import Logging
import NIOCore
import NIOPosix
import PiapiGateway
import RouteTable

/// Telemetry that records nothing (stand-in until the real one is wired).
struct SilentTelemetry: Telemetry {
    func requestStarted() {}
    func upstreamFirstByte(serviceType: String, seconds: Double) {}
    func requestFinished(_ record: RequestRecord) {}
    func metricsText() -> String { "" }
}

var arguments = Array(CommandLine.arguments.dropFirst())
var configuration = GatewayConfiguration()
if let i = arguments.firstIndex(of: "--listen"), i + 1 < arguments.count {
    let value = arguments[i + 1]
    if let colon = value.lastIndex(of: ":"), let port = Int(value[value.index(after: colon)...]) {
        if colon != value.startIndex { configuration.host = String(value[..<colon]) }
        configuration.port = port
    }
    arguments.removeSubrange(i...(i + 1))
}
guard let path = arguments.first else {
    FileHandle.standardError.write(Data("usage: piapi-serve TABLE [--listen HOST:PORT]\n".utf8))
    exit(2)
}
do {
    let serving = try ServingTable(table: try TableFile.load(path: path), environment: ProcessInfo.processInfo.environment)
    let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
    let server = GatewayServer(configuration: configuration, tables: TableStore(serving), telemetry: SilentTelemetry(),
                               group: group, logger: Logger(label: "piapi-serve"))
    _ = try await server.start()
    while true { try await Task.sleep(nanoseconds: 3_600_000_000_000) }
} catch {
    FileHandle.standardError.write(Data("piapi-serve: \(error)\n".utf8))
    exit(1)
}
