import RouteTable

/// Decodes one provider: its name, its named keys (secrets: masked in excerpts, never
/// quoted) and its services, each service type once.
enum ProviderDecoder {
    static func decode(_ node: YAMLNode, log: inout DiagnosticLog) -> ProviderConfig? {
        guard let fields = MappingFields(node, what: "provider", known: ["name", "apiKeys", "services"], log: &log)
        else { return nil }
        let name = fields.required("name", log: &log).flatMap { value in
            ScalarDecoding.nonEmptyText(value, "provider name", log: &log).map { Located($0, at: value.location) }
        }
        let keysNode = fields.required("apiKeys", log: &log)
        let keys = keysNode.map { decodeKeys($0, log: &log) } ?? []
        var declaredKeyNames = Set(keys.map(\.name.value))
        if case .mapping(let entries)? = keysNode?.content {
            declaredKeyNames.formUnion(entries.map { ScalarDecoding.trimmed($0.key) })
        }
        let (services, declaredServiceTypes) =
            fields.required("services", log: &log).map { decodeServices($0, log: &log) } ?? ([], [])
        guard let name else { return nil }
        return ProviderConfig(
            name: name, keys: keys, services: services,
            declaredKeyNames: declaredKeyNames, declaredServiceTypes: declaredServiceTypes)
    }

    /// The valid services, and every type written (valid or not) for reference checks.
    private static func decodeServices(_ node: YAMLNode, log: inout DiagnosticLog) -> ([ServiceConfig], Set<String>) {
        guard let items = ScalarDecoding.sequence(node, "services", log: &log) else { return ([], []) }
        if items.isEmpty { log.error(node.location, "services must not be empty") }
        var services: [ServiceConfig] = []
        var declaredTypes: Set<String> = []
        var firstLine: [String: Int] = [:]
        for item in items {
            if case .mapping(let entries) = item.content, let type = entries.first(where: { $0.key == "type" }),
                case .scalar(let scalar) = type.value.content
            {
                declaredTypes.insert(ScalarDecoding.trimmed(scalar.text))
            }
            guard let service = ServiceDecoder.decode(item, log: &log) else { continue }
            if let line = firstLine[service.type.value] {
                log.error(
                    service.type.location,
                    "duplicate service type '\(service.type.value)' in this provider (first at line \(line))")
                continue
            }
            firstLine[service.type.value] = service.type.location.line
            services.append(service)
        }
        return (services, declaredTypes)
    }

    private static func decodeKeys(_ node: YAMLNode, log: inout DiagnosticLog) -> [ProviderConfig.Key] {
        guard let fields = MappingFields(node, what: "apiKeys", known: nil, log: &log) else { return [] }
        for entry in fields.allEntries { log.markSecret(entry.value) }
        guard fields.hasKeys else {
            log.error(node.location, "apiKeys must not be empty")
            return []
        }
        var keys: [ProviderConfig.Key] = []
        var firstLine: [String: Int] = [:]
        for entry in fields.dataEntries {
            let name = ScalarDecoding.trimmed(entry.key)
            guard !name.isEmpty else {
                log.error(entry.keyLocation, "apiKeys key names must not be empty")
                continue
            }
            if let line = firstLine[name] {
                log.error(entry.keyLocation, "duplicate key name '\(name)' in apiKeys (first at line \(line))")
                continue
            }
            firstLine[name] = entry.keyLocation.line
            guard let value = secretValue(entry.value, keyName: name, log: &log) else { continue }
            keys.append(
                ProviderConfig.Key(
                    name: Located(name, at: entry.keyLocation), value: value, valueLocation: entry.value.location))
        }
        return keys
    }

    /// The key's value as a template; messages name the key, never the value.
    private static func secretValue(_ node: YAMLNode, keyName: String, log: inout DiagnosticLog) -> SecretTemplate? {
        guard let text = ScalarDecoding.text(node, "the value of key '\(keyName)'", log: &log) else { return nil }
        guard !ScalarDecoding.trimmed(text).isEmpty else {
            log.error(node.location, "the value of key '\(keyName)' must not be empty")
            return nil
        }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            log.error(node.location, "the value of key '\(keyName)' contains control characters")
            return nil
        }
        do {
            let template = try SecretTemplate.parse(text)
            for case .variable(let name) in template.parts where UnresolvedVariable.isReserved(name) {
                log.error(
                    node.location,
                    "the value of key '\(keyName)' refers to ${\(name)}, one of piapi-serve's own secrets",
                    note:
                        "PIAPI_ADMIN_TOKEN and PGPASSWORD (the admin token, the ledger's password) are never sent upstream"
                )
                return nil
            }
            return template
        } catch {
            switch error {
            case .unterminated:
                log.error(node.location, "the value of key '\(keyName)' has an unterminated ${…} reference")
            case .invalidName:
                log.error(
                    node.location, "the value of key '\(keyName)' has a malformed ${…} reference",
                    note: "a variable name is letters, digits and '_', not starting with a digit")
            }
            return nil
        }
    }
}
