extension UsageReport {
    /// The model recorded in place of one that holds the injected credential.
    static let redactedModel = "<redacted>"

    /// This report with its model replaced by `redactedModel` when the model holds the
    /// credential the request carried upstream (whole value or bare key, either case). The
    /// model is upstream text: an upstream that echoes the key there would otherwise put it in
    /// the log lines, the ledger, a metric label and the admin API, which all take the model
    /// from here — the HTTP exchange's record and each WebSocket response's.
    func hidingCredential(_ credential: InjectedCredential?) -> UsageReport {
        guard let credential, let model else { return self }
        let holdsKey = Array(model.utf8).withUnsafeBytes { credential.isContained(in: $0, 0..<$0.count) }
        guard holdsKey else { return self }
        var report = self
        report.model = Self.redactedModel
        return report
    }
}
