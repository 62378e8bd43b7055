import Glibc
import Logging
import PiapiGateway

// piapi-serve: parse flags (usage errors exit 2), then hand over to `GatewayProcess`
// (start-up errors: one line on stderr, exit 1; a drained shutdown exits 0).

func writeToStandardError(_ text: String) {
    _ = Array(text.utf8).withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

let options: ServeOptions
let configuration: GatewayConfiguration
do {
    options = try ServeOptions.parse()
    configuration = try options.gatewayConfiguration()
} catch {
    if ServeOptions.exitCode(for: error) == .success {
        print(ServeOptions.fullMessage(for: error))
        exit(0)
    }
    writeToStandardError(ServeOptions.fullMessage(for: error) + "\n")
    exit(2)
}

let level = options.level
LoggingSystem.bootstrap { _ in JSONLogHandler(logLevel: level) }

do {
    try await GatewayProcess(
        tablePath: options.table, configuration: configuration, logLevel: level,
        environment: TableLoader.processEnvironment()
    ).run()
} catch {
    writeToStandardError("piapi-serve: error: \(error)\n")
    exit(1)
}
exit(0)
