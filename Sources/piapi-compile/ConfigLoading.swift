import ArgumentParser
import PiapiCompiler
import RouteTable

/// Turns library results into the command's exit statuses: I/O problems are 2,
/// an invalid config is 1.
enum ConfigLoading {
    static func compile(_ path: String, options: DiagnosticsOptions) throws -> CompileOutcome {
        let outcome: CompileOutcome
        do {
            outcome = try ConfigCompiler.compile(path: path)
        } catch {
            throw ioFailure(error)
        }
        options.report(outcome)
        guard !outcome.failed(strict: options.strict) else {
            if outcome.table != nil, options.diagnostics == .human {
                FileHandleOutput.standardError("piapi-compile: --strict: warnings fail the run\n")
            }
            throw ExitCode(1)
        }
        return outcome
    }

    /// A table from a compiled file, or from a config compiled on the fly.
    static func table(_ path: String) throws -> RouteTable {
        let loaded: TableSource.Loaded
        do {
            loaded = try TableSource.load(path: path)
        } catch {
            throw ioFailure(error)
        }
        switch loaded {
        case .table(let table):
            return table
        case .config(let outcome):
            guard let table = outcome.table else {
                DiagnosticsOptions.report(outcome, as: .human)
                throw ExitCode(1)
            }
            return table
        }
    }

    static func ioFailure(_ error: TableError) -> ExitCode {
        FileHandleOutput.standardError("piapi-compile: error: \(error)\n")
        return ExitCode(2)
    }
}
