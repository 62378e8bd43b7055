import Crypto

/// The status page at `GET /` of the admin listener: one self-contained HTML document (inline
/// style and script, no external asset, no build step) that reads the JSON API and refreshes
/// itself. It shows names only, as the API does. Its Content-Security-Policy allows exactly
/// its own inline style and script (by SHA-256) and fetches to its own origin.
enum AdminPage {
    static let body = #"""
        <header>
          <div class="brand">piapi <span>admin</span></div>
          <div id="summary"><span class="stat muted">loading…</span></div>
          <div id="updated"></div>
        </header>
        <main>
          <div id="alerts" class="wide"></div>
          <section class="card wide" id="routes-card">
            <h2>Routes <small id="route-count"></small></h2>
            <div id="pairs" class="chips" aria-label="provider keys"></div>
            <div class="table-wrap"><table id="routes"></table></div>
          </section>
          <section class="card" id="usage-card">
            <h2><span id="usage-title">Tokens per user per day</span> <small>last 14 days, UTC</small></h2>
            <div id="chart" class="chart"></div>
            <div id="legend" class="legend"></div>
            <p id="usage-note" class="muted"></p>
          </section>
          <section class="card" id="reloads-card">
            <h2>Table reloads <small id="reload-count"></small></h2>
            <ul id="reloads" class="reloads"></ul>
          </section>
          <section class="card wide" id="limits-card" hidden>
            <h2>Limits <small>this replica's use</small></h2>
            <div class="table-wrap"><table id="limits"></table></div>
          </section>
          <section class="card wide" id="requests-card">
            <h2>Recent requests <small id="request-count"></small></h2>
            <form class="filters" id="filters">
              <label>User <select id="f-user"><option value="">all</option></select></label>
              <label>Service <select id="f-service"><option value="">all</option></select></label>
              <label>Status <select id="f-status"><option value="">all</option><option>2xx</option><option>3xx</option>
                <option>4xx</option><option>5xx</option><option>401</option><option>404</option><option>429</option>
                <option>502</option><option>504</option></select></label>
              <label>Show <select id="f-limit"><option>50</option><option selected>100</option><option>500</option>
                <option>1000</option></select></label>
            </form>
            <div class="table-wrap"><table id="requests"></table></div>
          </section>
        </main>
        <footer>Read-only: piapi's configuration lives in git and changes through piapi-compile and pull requests.</footer>
        """#

    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width,initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>piapi admin</title>
        <link rel="icon" href="data:,">
        <style>\(style)</style>
        </head>
        <body>
        \(body)
        <script>\(script)</script>
        </body>
        </html>

        """

    /// `'sha256-…'` of an inline element's exact text, as CSP wants it.
    static func cspHash(_ text: String) -> String {
        "'sha256-\(Base64.encode(Array(SHA256.hash(data: Array(text.utf8)))))'"
    }

    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src \(cspHash(script))", "style-src \(cspHash(style))", "connect-src 'self'",
        "img-src data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    static let response = AdminResponse(
        status: 200,
        headers: [
            ("Content-Type", "text/html; charset=utf-8"), ("Content-Security-Policy", contentSecurityPolicy),
        ], body: Array(html.utf8))
}
