import Foundation
import PiapiLedger
import Testing

@Suite("Usage report formats")
struct UsageReportFormatTests {
    static let report = UsageReport(
        query: UsageQuery(since: Fixtures.time("2026-11-01T00:00:00Z"), groupBy: [.user, .model]),
        rows: [
            UsageReportRow(
                group: ["bob", "claude-test"], requests: 3, errors: 1, inputTokens: 1_200, cacheReadTokens: 4_000,
                cacheWriteTokens: 800, outputTokens: 350, reasoningTokens: 0, costUSD: 0.0123),
            UsageReportRow(
                group: ["alice", "gpt-test"], requests: 10, inputTokens: 5_000, outputTokens: 2_000,
                reasoningTokens: 512, costUSD: 0.5),
            UsageReportRow(group: [nil, nil], requests: 2, errors: 2),
            UsageReportRow(group: ["alice, \"the\" admin", "gpt-test"], requests: 1, inputTokens: 1),
        ])

    @Test func sortedByGroupWithTotal() {
        #expect(
            Self.report.rows.map(\.group) == [
                [nil, nil], ["alice", "gpt-test"], ["alice, \"the\" admin", "gpt-test"], ["bob", "claude-test"],
            ])
        #expect(
            Self.report.total
                == UsageReportRow(
                    group: [], requests: 16, errors: 3, inputTokens: 6_201, cacheReadTokens: 4_000,
                    cacheWriteTokens: 800, outputTokens: 2_350, reasoningTokens: 512, costUSD: 0.5123))
    }

    @Test func table() {
        #expect(
            UsageReportFormat.table.render(Self.report) == """
                from 2026-11-01T00:00:00Z to now (UTC); errors = responses with status >= 400
                user                model        requests  errors  input  cache_read  cache_write  output  reasoning  cost_usd
                (none)              (none)              2       2      0           0            0       0          0         -
                alice               gpt-test           10       0   5000           0            0    2000        512  0.500000
                alice, "the" admin  gpt-test            1       0      1           0            0       0          0         -
                bob                 claude-test         3       1   1200        4000          800     350          0  0.012300
                total                                  16       3   6201        4000          800    2350        512  0.512300

                """)
    }

    @Test(
        "a model name with a newline or an ESC sequence stays on its row, escaped, and never reaches the terminal raw")
    func tableEscapesControlCharacters() {
        let report = UsageReport(
            query: UsageQuery(groupBy: [.model]),
            rows: [
                UsageReportRow(group: ["gpt\nfake-row  999\u{1B}[2J\u{9B}x\t"], requests: 1)
            ])
        let lines = UsageReportFormat.table.render(report).split(separator: "\n")
        #expect(lines.count == 4)  // range, header, the row, total
        #expect(lines[2].hasPrefix(#"gpt\nfake-row  999\u{1b}[2J\u{9b}x\t"#))
        #expect(!lines.joined().unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B })
        let bidi = UsageReport(
            query: UsageQuery(groupBy: [.model]),
            rows: [UsageReportRow(group: ["a\u{202E}evil\u{2066}x"], requests: 1)])
        let row = UsageReportFormat.table.render(bidi).split(separator: "\n")[2]
        #expect(row.hasPrefix(#"a\u{202e}evil\u{2066}x"#))
    }

    @Test func csv() {
        #expect(
            UsageReportFormat.csv.render(Self.report)
                == [
                    "user,model,requests,errors,input_tokens,cache_read_tokens,cache_write_tokens,output_tokens,reasoning_tokens,cost_usd",
                    ",,2,2,0,0,0,0,0,",
                    "alice,gpt-test,10,0,5000,0,0,2000,512,0.500000",
                    "\"alice, \"\"the\"\" admin\",gpt-test,1,0,1,0,0,0,0,",
                    "bob,claude-test,3,1,1200,4000,800,350,0,0.012300",
                ].map { $0 + "\r\n" }.joined())
    }

    @Test("a model name a spreadsheet would run as a formula is written as text")
    func csvDefusesFormulas() {
        let names = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1)", "\tcmd", "plain-model"]
        let report = UsageReport(
            query: UsageQuery(groupBy: [.model]),
            rows: names.map { UsageReportRow(group: [$0], requests: 1) })
        let lines = UsageReportFormat.csv.render(report).split(separator: "\r\n").dropFirst().map(String.init)
        #expect(
            lines.sorted()
                == [
                    #""'=HYPERLINK(""http://x"",""y"")",1,0,0,0,0,0,0,"#, #""'+1",1,0,0,0,0,0,0,"#,
                    #""'-2+3",1,0,0,0,0,0,0,"#,
                    #""'@SUM(A1)",1,0,0,0,0,0,0,"#, "\"'\tcmd\",1,0,0,0,0,0,0,", "plain-model,1,0,0,0,0,0,0,",
                ].sorted())
    }

    @Test func json() throws {
        let text = UsageReportFormat.json.render(Self.report)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["since"] as? String == "2026-11-01T00:00:00Z")
        #expect(parsed["until"] is NSNull)
        #expect(parsed["by"] as? [String] == ["user", "model"])
        let groups = try #require(parsed["groups"] as? [[String: Any]])
        #expect(groups.count == 4)
        #expect(groups[0]["user"] is NSNull && groups[0]["cost_usd"] is NSNull && groups[0]["errors"] as? Int == 2)
        #expect(groups[2]["user"] as? String == "alice, \"the\" admin")
        #expect(groups[3]["cache_read_tokens"] as? Int == 4_000 && groups[3]["cost_usd"] as? Double == 0.0123)
        let total = try #require(parsed["total"] as? [String: Any])
        #expect(total["requests"] as? Int == 16 && total["reasoning_tokens"] as? Int == 512 && total["user"] == nil)
        #expect(text.hasPrefix("{\n  \"since\": \"2026-11-01T00:00:00Z\",\n"))
        #expect(
            text.contains(
                "\n    {\"user\": null, \"model\": null, \"requests\": 2, \"errors\": 2, \"input_tokens\": 0, \"cache_read_tokens\": 0, \"cache_write_tokens\": 0, \"output_tokens\": 0, \"reasoning_tokens\": 0, \"cost_usd\": null},\n"
            ))
    }

    @Test func withoutGroupsOneLine() {
        let report = UsageReport(query: UsageQuery(), rows: [UsageReportRow(group: [], requests: 0)])
        #expect(
            UsageReportFormat.table.render(report) == """
                from the first row to now (UTC); errors = responses with status >= 400
                requests  errors  input  cache_read  cache_write  output  reasoning  cost_usd
                       0       0      0           0            0       0          0         -

                """)
        #expect(UsageReportFormat.json.render(report).contains("\"groups\": [\n    {\"requests\": 0,"))
    }
}
