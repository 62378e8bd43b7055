/// A self-signed CA and a localhost/127.0.0.1 server certificate it signed (openssl, valid
/// 100 years), embedded so TLS upstream tests need no files or network.
enum TestCertificates {
    /// The test CA that signed `serverCertificate` (trusted via `upstreamCAFile` in tests).
    static let caPEM = """
        -----BEGIN CERTIFICATE-----
        MIIDIzCCAgugAwIBAgIUQ5MeHbQU+4cV5nfYeozas9pJ6pQwDQYJKoZIhvcNAQEL
        BQAwGDEWMBQGA1UEAwwNcGlhcGkgdGVzdCBDQTAgFw0yNjExMjgwNDI1MjZaGA8y
        MTI2MTEwNDA0MjUyNlowGDEWMBQGA1UEAwwNcGlhcGkgdGVzdCBDQTCCASIwDQYJ
        KoZIhvcNAQEBBQADggEPADCCAQoCggEBANBx+GcN/s2GO/j37FtDEqkr4CbD6xnM
        qFU+gkL3ppBHeaUEsGnpUwGopCLPg5M9FC1QWqZSYhFE0JL1nMwZR7FEeRg/m/oh
        maveL9vbLa1TMCXJLDqHpDmNn9QTzlz8jK0Wn1CNdkLsdDIgqVwzddv9UEPC93CQ
        T0QZ9DAwYpmEmiS2720tDVkUkuixQOuQEABI2qo2B7Wci2wDBstcJ/HsmZa5OpmU
        6BgTZpuwVUb8RqsgT5IAQ+vWSSYEItyztZlYp1TdqMs0q4Nc5+Vikg8p+Gu9K1U5
        Ef7oxw6pOt0LY+v7kgrLlBR5K0EQGTYMVKryVuz5h0cwPFzhS6un8h0CAwEAAaNj
        MGEwHQYDVR0OBBYEFP8lJtZ+gFxeKr7HSD6CuEufg71JMB8GA1UdIwQYMBaAFP8l
        JtZ+gFxeKr7HSD6CuEufg71JMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQD
        AgEGMA0GCSqGSIb3DQEBCwUAA4IBAQAT/t5RkD/P6SmmQzr4HZDacaN2VP9G+i50
        keV95T2pkvSYS/ihHMrM9aC9SGq1x+A9FjENvxkOY63ul+t0RGRGnNlA7sRL400J
        BhGDo2qqXlp5X5QjgfIw+qguHs+RnhpIMD6yumxIaCN/Bsviu/CmwGbHV0B0GmKE
        CiOuNWzqMfyjPmzn9zvIgOJnn+XhBFga9HIFIhvsJpl7tolslU+Tf5pktwvZIa+M
        qru6Ky3LnoO2Pj0L2M/Gm0LYWOaV5khrY3ma7h7kdQC3hAsDCuxukirqSK+SiNYW
        GqKAEfZahNVCHwRY+vT/gBKx2Wh8W3eGtfQnMkEZJkE21ma4BOkt
        -----END CERTIFICATE-----
        """

    /// Server certificate for localhost and 127.0.0.1, valid 100 years.
    static let serverCertificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIDSTCCAjGgAwIBAgIUOhqFw06J7fTWYYzfn+9JBBlArEYwDQYJKoZIhvcNAQEL
        BQAwGDEWMBQGA1UEAwwNcGlhcGkgdGVzdCBDQTAgFw0yNjExMjgwNDI1MjhaGA8y
        MTI2MTEwNDA0MjUyOFowFDESMBAGA1UEAwwJbG9jYWxob3N0MIIBIjANBgkqhkiG
        9w0BAQEFAAOCAQ8AMIIBCgKCAQEAnexCpCbsQHQh0fYUsTTq7QI7CDPdT+wViDQY
        pi+ah4L8CXwZzozpRjG7rKEpoyaW68oHbXBW4gc8I7cuX5RVo1UmwiNibRD1N56d
        mmzhwO2yvsjI35PxDrWlMWXQEXCfdgM0JM9SXd3GnqzUIF/spyE17DKhnzcdrNq8
        Oa9qFDz1sCyWTNRieCeqxpfjtUAfL+Ou8eguODz1krWm9onwt0+wWGi3RidcGJqd
        D0yjcM/v9v+O2rApfub+zilPt1G+NhHK1Q8W8IB/aKtguTHmOMlBL+O+IETU4lwb
        OB2u9KtPJFK1HYfWMlOgQoQFiSJyPlpL6JjbCdN/xJ76QQ7keQIDAQABo4GMMIGJ
        MBoGA1UdEQQTMBGCCWxvY2FsaG9zdIcEfwAAATAJBgNVHRMEAjAAMAsGA1UdDwQE
        AwIFoDATBgNVHSUEDDAKBggrBgEFBQcDATAdBgNVHQ4EFgQU3ejs8S1DabrxSZY/
        mHJ/ApdSY7swHwYDVR0jBBgwFoAU/yUm1n6AXF4qvsdIPoK4S5+DvUkwDQYJKoZI
        hvcNAQELBQADggEBAEdItzhUa6Gh+m5sH6ZU42iEvlZp2bqV1Zo+gyQRCvnGkH8m
        s14ZCzqLf6XAqf23OQr2+ZsUJ6m7uV5J0wTQjWD7O81VE+yIrv5tLkVHvVEeJ8Al
        fc5r7LdbkRtddsf/VOwfkbTWGpBvD6zO5kaiErhx/H7QP1TGEj82s/gW89xCybST
        +a3S4OlAVJhsHbAYCrM4eJLqWrpzHyiQCij2oNAQjYkZnvgedbjOvjPKJ4/uFbLv
        g71japboYQLqRHzE5IahVlQxYOXQHlkYv+I7fqotZZO4FJBoFla0J1aYxIUL0/dn
        KokOgv+7imdEU8dh0wigEYaQwfY+SE/pfDOq4ts=
        -----END CERTIFICATE-----
        """

    static let serverKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCd7EKkJuxAdCHR
        9hSxNOrtAjsIM91P7BWINBimL5qHgvwJfBnOjOlGMbusoSmjJpbrygdtcFbiBzwj
        ty5flFWjVSbCI2JtEPU3np2abOHA7bK+yMjfk/EOtaUxZdARcJ92AzQkz1Jd3cae
        rNQgX+ynITXsMqGfNx2s2rw5r2oUPPWwLJZM1GJ4J6rGl+O1QB8v467x6C44PPWS
        tab2ifC3T7BYaLdGJ1wYmp0PTKNwz+/2/47asCl+5v7OKU+3Ub42EcrVDxbwgH9o
        q2C5MeY4yUEv474gRNTiXBs4Ha70q08kUrUdh9YyU6BChAWJInI+WkvomNsJ03/E
        nvpBDuR5AgMBAAECggEABSI0bWEi3hqDAfAHBAFaygRqoQLh73KW0EQUnAxhRdqd
        G6goL5shjH8FNotQ+ZqBc/NFPV/A7J08bX3Lg7RkT0hZ7PGDsNTJCpCSV34xctks
        mGqZqw5EWwx5F6tosYnGHpWOk6FrWvKgvbDpFA9XjPxK+YgQ0caTz/YWrHphD1Ik
        k5PjOwbDgzUNNX1S2hivhT5w246IIHwLPufR6ETS0Rn4tZjgucj2b7n5sWE/4qN/
        ZtCCGlxPIh18O4G9ZmRjToNJ4lgwv2d0sM5NoLQoAwkb9QjJOHQ+IoxyE/DtBezb
        Mg63sQZAcn3iHWuo1zrw1DsbL4laR5s7s7b7YvSiIQKBgQDJGZvIa/W005r9HuBz
        qwy8n869toatxScj8hXv/+jZefmPmAHXlF8/SSey8ut0NQUephEDPBpzeR6h3pCz
        vFKXAdBTneNs9IgYMtCHX7est+pAYzZCqhvSUCMj/vGjONkgrI7ie44iWnfpJ+yi
        kgPWOk4iJfKY2iqb4tJF2pNICQKBgQDJCRtGy0Vfv/B0bpWj9d5QjoEZFjQMLbrb
        W1deRX/YVST2osA3muhmbaVQJdHG0HCE9EvF0yWwSKjtp5xs+vjcVWts58sH5Cxi
        AwlAG/MA/jzsIlDI8t13UNp9ynhibhlnhrSupPx/7tmcDOji+8rMOJtt04cl5wTU
        L9MASqR08QKBgQDGSUXdvPWssukjpApUgtgwNLK5RPxO4xLQ0qbm2kJSDX8RIyTN
        2DKCSDOosvWOw6ikq8IimmTKbybRHI85aftVgihUCl5w1DxM/+21TZ/h4gZMLocV
        /H0qRnIf0AWalzcgjITmtEVVgjax4vfk5Gx8E0lvSlOGe7d/tYr37alDYQKBgAmi
        kxkYgvGs3FRoPGnITehkfBF8u+/dfTgoL47IG/F9WzEq6bWAiiTmmma1+VDjCpGE
        t+D6VrMVOGtzfg7HFIhS27wze8qcB/iGlrno3QOuK7NRjbej1DN0v5QJ0S0+g58v
        mJdKNwPWqb1N7Rd74+NXzzM7UR3i7ZtR03YPHcSxAoGAGSMKri3tcTMeT9jcYuoi
        NqaeEnvtEpwD5fuIdg3cvszLGfWGyKD/j1k3vxvh3RY6E7UmNtiB7WCrxeDfN1bR
        H2AdGPDz5ehVhru4bvBPq3OV9MxwNS5HBPGSnMQdcG6/3P4fXbPht6TCBgt5B0z+
        H4XFWRs05LnQDB9ri2TkCko=
        -----END PRIVATE KEY-----
        """
}
