import Foundation
import PiapiCompiler

/// A JSON value as decoded from an admin answer, keeping integers, other numbers and booleans
/// apart (a schema's `integer` must not accept 1.5, nor `boolean` accept 1).
indirect enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }
}

/// `docs/admin-openapi.yaml`, read with the compiler's YAML reader, and a validator for the
/// part of OpenAPI 3.0's schema language the file uses: `$ref`, `type`, `nullable`,
/// `properties`, `required`, `additionalProperties: false`, `items`, `maxItems`, `enum`,
/// `pattern`, `minimum`, `maximum` and the `date`/`date-time` formats.
struct OpenAPISchema {
    let root: YAMLNode

    static var documentPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("docs/admin-openapi.yaml")
            .path
    }

    static func load() throws -> OpenAPISchema {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: documentPath)))
        let result = YAMLReader().read(bytes)
        guard let root = result.root, result.diagnostics.isEmpty else {
            throw SchemaError("docs/admin-openapi.yaml does not parse: \(result.diagnostics)")
        }
        return OpenAPISchema(root: root)
    }

    struct SchemaError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The paths the document lists.
    var paths: [String] { Self.entries(root["paths"]).map(\.key) }

    /// The schema of `path`'s `GET` answer with `status` and `mediaType`.
    func responseSchema(
        _ path: String, status: String = "200", mediaType: String = "application/json"
    ) throws -> YAMLNode {
        var response = root["paths"]?[path]?["get"]?["responses"]?[status]
        if let ref = response?["$ref"]?.scalarText { response = try resolve(ref) }
        guard let schema = response?["content"]?[mediaType]?["schema"] else {
            throw SchemaError("no \(mediaType) schema for GET \(path) \(status)")
        }
        return schema
    }

    func resolve(_ reference: String) throws -> YAMLNode {
        guard reference.hasPrefix("#/") else { throw SchemaError("unsupported $ref \(reference)") }
        var node: YAMLNode? = root
        for part in reference.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        guard let node else { throw SchemaError("dangling $ref \(reference)") }
        return node
    }

    /// Every way `value` breaks `schema`, as `where: what` lines (empty: it conforms).
    func violations(of value: JSONValue, against schema: YAMLNode, at path: String = "$") throws -> [String] {
        if let ref = schema["$ref"]?.scalarText { return try violations(of: value, against: resolve(ref), at: path) }
        if case .null = value {
            return schema["nullable"]?.scalarText == "true" ? [] : ["\(path): null where the schema does not allow it"]
        }
        var problems: [String] = []
        switch schema["type"]?.scalarText {
        case "object":
            guard case .object(let fields) = value else { return ["\(path): expected an object"] }
            let properties = Self.entries(schema["properties"])
            let listed = Set(properties.map(\.key))
            for required in Self.items(schema["required"]).compactMap(\.scalarText) where fields[required] == nil {
                problems.append("\(path): missing required key \(required)")
            }
            if schema["additionalProperties"]?.scalarText == "false" {
                for key in fields.keys.sorted() where !listed.contains(key) {
                    problems.append("\(path): key \(key) is not in the schema")
                }
            }
            for property in properties {
                if let field = fields[property.key] {
                    problems += try violations(of: field, against: property.value, at: "\(path).\(property.key)")
                }
            }
        case "array":
            guard case .array(let elements) = value else { return ["\(path): expected an array"] }
            if let max = schema["maxItems"]?.scalarText.flatMap(Int.init), elements.count > max {
                problems.append("\(path): \(elements.count) items, more than \(max)")
            }
            if let items = schema["items"] {
                for (index, element) in elements.enumerated() {
                    problems += try violations(of: element, against: items, at: "\(path)[\(index)]")
                }
            }
        case "string":
            guard case .string(let text) = value else { return ["\(path): expected a string"] }
            let allowed = Self.items(schema["enum"]).filter { !($0.scalar?.isNull ?? false) }.compactMap(\.scalarText)
            if !allowed.isEmpty, !allowed.contains(text) {
                problems.append("\(path): \(text) is not one of \(allowed)")
            }
            if let pattern = schema["pattern"]?.scalarText, !Self.matches(text, pattern) {
                problems.append("\(path): \(text) does not match \(pattern)")
            }
            switch schema["format"]?.scalarText {
            case "date-time":
                if !Self.matches(text, #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$"#) {
                    problems.append("\(path): \(text) is not a date-time")
                }
            case "date":
                if !Self.matches(text, #"^\d{4}-\d{2}-\d{2}$"#) { problems.append("\(path): \(text) is not a date") }
            default:
                break
            }
        case "integer":
            guard case .int(let number) = value else { return ["\(path): expected an integer"] }
            problems += Self.bounds(Double(number), schema, path)
        case "number":
            switch value {
            case .int(let number): problems += Self.bounds(Double(number), schema, path)
            case .double(let number): problems += Self.bounds(number, schema, path)
            default: return ["\(path): expected a number"]
            }
        case "boolean":
            guard case .bool = value else { return ["\(path): expected a boolean"] }
        case let other:
            problems.append("\(path): schema type \(other ?? "none") is not supported by this validator")
        }
        return problems
    }

    private static func bounds(_ number: Double, _ schema: YAMLNode, _ path: String) -> [String] {
        var problems: [String] = []
        if let min = schema["minimum"]?.scalarText.flatMap(Double.init), number < min {
            problems.append("\(path): \(number) < \(min)")
        }
        if let max = schema["maximum"]?.scalarText.flatMap(Double.init), number > max {
            problems.append("\(path): \(number) > \(max)")
        }
        return problems
    }

    private static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }

    static func entries(_ node: YAMLNode?) -> [YAMLEntry] {
        guard case .mapping(let entries)? = node?.content else { return [] }
        return entries.filter { !$0.isDuplicate }
    }

    static func items(_ node: YAMLNode?) -> [YAMLNode] {
        guard case .sequence(let items)? = node?.content else { return [] }
        return items
    }
}

extension YAMLNode {
    subscript(key: String) -> YAMLNode? {
        OpenAPISchema.entries(self).first { $0.key == key }?.value
    }

    var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { return scalar }
        return nil
    }

    var scalarText: String? { scalar?.text }
}
