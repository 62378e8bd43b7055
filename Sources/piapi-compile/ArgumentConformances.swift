import ArgumentParser
import PiapiCompiler
import RouteTable

// Library enums the options accept by their raw names (`--diagnostics json`, `--format binary`).
extension DiagnosticsFormat: ExpressibleByArgument {}
extension TableFile.Format: ExpressibleByArgument {}
