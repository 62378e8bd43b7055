/// Runs every decoding step and rule over a parsed document, collecting all diagnostics
/// of the run; the config it returns is fit to compile only if no error was logged.
enum ConfigValidator {
    static func validate(_ root: YAMLNode, log: inout DiagnosticLog) -> Config {
        let config = ConfigDecoder.decode(root, log: &log)
        UserRules.check(config.users, log: &log)
        var references = ReferenceChecker()
        references.check(config, log: &log)
        UsageWarnings.check(config, references: references, log: &log)
        LimitWarnings.check(config, log: &log)
        return config
    }
}
