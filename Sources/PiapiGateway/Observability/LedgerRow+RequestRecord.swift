import PiapiLedger

#if canImport(FoundationEssentials)
// Everything this file uses from Foundation is in FoundationEssentials, which has no ICU.
import FoundationEssentials
#else
import Foundation
#endif

extension LedgerRow {
    /// The ledger's row for a finished request: the record's names and numbers, never a
    /// body or a key. `time` is when the request finished.
    init(_ record: RequestRecord, time: Date) {
        let usage = record.usage
        self.init(
            time: time, requestID: record.requestID, user: record.user, serviceType: record.serviceType,
            provider: record.upstreamProvider, keyName: record.upstreamKey, model: usage?.model,
            status: record.status, latencyMs: record.latencySeconds * 1000,
            ttfbMs: record.ttfbSeconds.map { $0 * 1000 }, bytesIn: record.bytesIn, bytesOut: record.bytesOut,
            inputTokens: usage?.input, cacheReadTokens: usage?.cacheRead, cacheWriteTokens: usage?.cacheWrite,
            outputTokens: usage?.output, reasoningTokens: usage?.reasoning, costUSD: record.costUSD,
            partial: usage?.partial ?? false,
            attempts: record.attempts.isEmpty
                ? nil : String(decoding: RequestLogWriter.attemptsJSON(record.attempts), as: UTF8.self),
            tableHash: record.tableHash)
    }
}
