import ArgumentParser
import PiapiLedger

// Library enums the options accept by their raw names (`--format csv`).
extension UsageReportFormat: ExpressibleByArgument {}
