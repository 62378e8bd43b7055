/// Warnings about provider definitions: keys never used, services never routed, and
/// plaintext keys in a file that otherwise keeps keys in `${VAR}` references.
enum UsageWarnings {
    static func check(_ config: Config, references: ReferenceChecker, log: inout DiagnosticLog) {
        let usesVariables = config.providers.contains { $0.keys.contains { !$0.value.variables.isEmpty } }
        for provider in config.providers {
            let name = provider.name.value
            for key in provider.keys {
                if !references.usedKeys.contains(ReferenceChecker.pair(name, key.name.value)) {
                    log.warning(key.name.location, "key '\(key.name.value)' of provider '\(name)' is never used")
                }
                if usesVariables, key.value.variables.isEmpty {
                    log.warning(
                        key.valueLocation,
                        "key '\(key.name.value)' of provider '\(name)' is a plaintext secret in a config that uses ${VAR} references",
                        note: "move it to the environment as well")
                }
            }
            for service in provider.services
            where !references.routedServices.contains(ReferenceChecker.pair(name, service.type.value)) {
                log.warning(
                    service.type.location, "service '\(service.type.value)' of provider '\(name)' is never routed")
            }
        }
    }
}
