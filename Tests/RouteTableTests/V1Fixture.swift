/// `SampleTables.small()` as the version-1 encoders wrote it (commit 4363014, before prices and
/// limits), kept byte for byte so every later build proves it still loads old tables.
enum V1Fixture {
    /// The binary file, in hex.
    static let binaryHex = """
        5049415049525400010000004d020000be9676d31c6d15971bba9569a08263c6a9a5f3ed086dc4477d8967d6c099ef27
        170000000e00000070726f76696465722d616c7068610a0000006261636b75702d6b65790b000000636c617564655f63
        6f6465090000003132372e302e302e310a0000002f76312f636c6175646508000000746965723d70726f09000000782d
        6170692d6b657910000000414c5048415f4241434b55505f4b4559080000006d61696e2d6b657905000000636f646578
        160000006170692e70726f76696465722d616c7068612e636f6d0b0000002f76312f656e67696e6573000000000d0000
        00417574686f72697a6174696f6e1600000042656172657220736b2d616c7068612d7365637265740d00000070726f76
        696465722d626574610800000070726f642d6b6579050000005b3a3a315d070000006170695f6b65790a000000736b25
        3242626574612d0b000000424554415f53554646495805000000416c69636503000000426f6203000000000000000100
        0000020000000003000000901f0400000005000000000600000001000107000000000000000800000009000000010a00
        0000bb010b0000000c000000000d0000000100000e0000000f00000010000000090000000111000000fb200c0000000c
        00000001120000000200001300000001140000000200000015dcb4b574cf81fc9ba63396ebbc7419cf2b069a4b7f3973
        d9e3eaee7b2209c915000000020002000000000100000000000100000001090000000202000100000003000000010200
        00000100000000db636a5a6ec859ec37804cb579fb1bdc6cddfa3e4d8e6c7114be215ff69efb99160000000100090000
        00000100020000000100000001
        """

    static var binary: [UInt8] {
        let hex = Array(binaryHex.utf8.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: " ") })
        return stride(from: 0, to: hex.count, by: 2).map {
            UInt8(String(decoding: hex[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }

    /// The JSON file.
    static let json = #"""
        {
          "format" : "piapi-route-table",
          "targets" : [
            {
              "injection" : {
                "mode" : "header",
                "name" : "x-api-key",
                "value" : [
                  {
                    "env" : "ALPHA_BACKUP_KEY"
                  }
                ]
              },
              "key" : "backup-key",
              "provider" : "provider-alpha",
              "service" : "claude_code",
              "upstream" : {
                "basePath" : "/v1/claude",
                "baseQuery" : "tier=pro",
                "host" : "127.0.0.1",
                "port" : 8080,
                "scheme" : "http"
              }
            },
            {
              "injection" : {
                "mode" : "header",
                "name" : "Authorization",
                "value" : [
                  {
                    "literal" : "Bearer sk-alpha-secret"
                  }
                ]
              },
              "key" : "main-key",
              "provider" : "provider-alpha",
              "service" : "codex",
              "upstream" : {
                "basePath" : "/v1/engines",
                "baseQuery" : "",
                "host" : "api.provider-alpha.com",
                "port" : 443,
                "scheme" : "https"
              }
            },
            {
              "injection" : {
                "mode" : "query",
                "name" : "api_key",
                "value" : [
                  {
                    "literal" : "sk%2Bbeta-"
                  },
                  {
                    "env" : "BETA_SUFFIX"
                  }
                ]
              },
              "key" : "prod-key",
              "provider" : "provider-beta",
              "service" : "codex",
              "upstream" : {
                "basePath" : "",
                "baseQuery" : "",
                "host" : "[::1]",
                "port" : 8443,
                "scheme" : "https"
              }
            }
          ],
          "users" : [
            {
              "keySHA256" : "15dcb4b574cf81fc9ba63396ebbc7419cf2b069a4b7f3973d9e3eaee7b2209c9",
              "name" : "Alice",
              "routes" : [
                {
                  "candidates" : [
                    {
                      "enabled" : true,
                      "target" : 0,
                      "weight" : 1
                    }
                  ],
                  "service" : "claude_code",
                  "strategy" : "failover"
                },
                {
                  "candidates" : [
                    {
                      "enabled" : true,
                      "target" : 1,
                      "weight" : 3
                    },
                    {
                      "enabled" : false,
                      "target" : 2,
                      "weight" : 1
                    }
                  ],
                  "service" : "codex",
                  "strategy" : "weighted_rr"
                }
              ]
            },
            {
              "keySHA256" : "db636a5a6ec859ec37804cb579fb1bdc6cddfa3e4d8e6c7114be215ff69efb99",
              "name" : "Bob",
              "routes" : [
                {
                  "candidates" : [
                    {
                      "enabled" : true,
                      "target" : 2,
                      "weight" : 1
                    }
                  ],
                  "service" : "codex",
                  "strategy" : "failover"
                }
              ]
            }
          ],
          "version" : 1
        }
        """#

    /// The content hash version 1 gave this table (the payload's SHA-256).
    static let contentHash = "be9676d31c6d15971bba9569a08263c6a9a5f3ed086dc4477d8967d6c099ef27"
}
