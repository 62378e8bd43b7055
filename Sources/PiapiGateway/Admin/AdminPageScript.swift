extension AdminPage {
    /// The page's script: fetches the JSON API every few seconds and rebuilds each section with
    /// DOM calls only (every value is set as text, never parsed as HTML: request paths come
    /// from clients). Cooldowns count down every second between fetches.
    static let script = #"""
        "use strict";
        const REFRESH_MS = 5000, CHART_DAYS = 14;
        const $ = id => document.getElementById(id);
        const state = {routes: null, requests: null, fetchedAt: 0, lastOk: 0, timer: null};
        const PALETTE = ["#3b6fe0","#e07b39","#2fa37a","#c2459b","#8a63d2","#d4a72c","#3aa6c6","#d6584f","#6a9a3a","#7a7f8c"];

        function h(tag, attrs, ...kids) {
          const e = document.createElement(tag);
          for (const [k, v] of Object.entries(attrs || {})) {
            if (v == null || v === false) continue;
            if (k === "class") e.className = v; else e.setAttribute(k, v === true ? "" : String(v));
          }
          for (const k of kids.flat(Infinity)) {
            if (k == null || k === false) continue;
            e.append(k instanceof Node ? k : document.createTextNode(String(k)));
          }
          return e;
        }
        function svg(tag, attrs, ...kids) {
          const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
          for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
          for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
          return e;
        }
        function fill(id, ...kids) { const e = $(id); e.replaceChildren(...kids.flat(Infinity).filter(k => k != null)); return e; }
        function num(n) {
          if (n == null) return "–";
          const a = Math.abs(n);
          if (a >= 1e9) return (n / 1e9).toFixed(a >= 1e10 ? 0 : 1) + "G";
          if (a >= 1e6) return (n / 1e6).toFixed(a >= 1e7 ? 0 : 1) + "M";
          if (a >= 1e4) return (n / 1e3).toFixed(0) + "k";
          if (a >= 1e3) return (n / 1e3).toFixed(1) + "k";
          return String(Math.round(n * 100) / 100);
        }
        function dur(s) {
          s = Math.max(0, Math.ceil(s));
          if (s < 60) return s + "s";
          if (s < 3600) return Math.floor(s / 60) + "m " + String(s % 60).padStart(2, "0") + "s";
          if (s < 86400) return Math.floor(s / 3600) + "h " + String(Math.floor(s / 60) % 60).padStart(2, "0") + "m";
          return Math.floor(s / 86400) + "d " + Math.floor(s / 3600) % 24 + "h";
        }
        function ago(iso) { return iso ? dur((Date.now() - Date.parse(iso)) / 1000) + " ago" : "–"; }
        function clock(iso) { const d = new Date(iso); return isNaN(d) ? "–" : d.toLocaleTimeString([], {hour12: false}); }
        function when(iso) { const d = new Date(iso); return isNaN(d) ? "–" : d.toLocaleString([], {hour12: false}); }
        function pct(x) { return (Math.round(x * 1000) / 10) + "%"; }
        function color(name, names) { const i = names.indexOf(name); return PALETTE[(i < 0 ? 0 : i) % PALETTE.length]; }
        function statusBadge(s) { return h("span", {class: "badge s" + (s >= 200 && s < 600 ? Math.floor(s / 100) : 0)}, s || "–"); }

        async function api(path) {
          const r = await fetch(location.origin + path, {credentials: "same-origin", cache: "no-store", headers: {Accept: "application/json"}});
          if (!r.ok) throw new Error(path.split("?")[0] + " answered " + r.status);
          return r.json();
        }

        function renderStatus(s) {
          const t = s.table;
          fill("summary",
            h("span", {class: "stat", title: "route table hash (prefix) · " + t.path}, "table ", h("b", {class: "mono"}, t.hash)),
            h("span", {class: "stat", title: when(t.loaded_at)}, "loaded ", h("b", {}, ago(t.loaded_at))),
            h("span", {class: "stat"}, h("b", {}, t.users), " users · ", h("b", {}, t.routes), " routes"),
            h("span", {class: "stat"}, h("b", {}, s.in_flight), " in flight"),
            h("span", {class: "stat"}, h("b", {}, s.open_connections), " connections"),
            h("span", {class: "stat", title: "started " + when(s.started_at)}, "up ", h("b", {}, dur(s.uptime_seconds))),
            h("span", {class: "stat muted"}, "v" + s.version));
          const items = s.reloads.map(r => h("li", {"data-result": r.result},
            h("span", {class: "badge " + (r.result === "failure" ? "s5" : r.result === "success" ? "s2" : "s0")}, r.result),
            h("span", {class: "muted", title: when(r.time)}, clock(r.time)),
            r.hash ? h("span", {}, "now serving ", h("code", {}, r.hash)) : null,
            r.error ? h("span", {class: "err"}, r.error) : null));
          fill("reloads", items.length ? items : h("li", {class: "muted"},
            "No reloads since start. Table ", h("code", {}, t.hash), " loaded " + when(t.loaded_at) + "."));
          $("reload-count").textContent = s.reloads.length ? "last " + s.reloads.length : "";
        }

        function candidateChip(c, fetchedAt) {
          const cooling = c.enabled && !c.healthy;
          const dotClass = !c.enabled ? "off" : cooling ? "cool" : c.attempts === 0 ? "idle" : c.error_rate >= 0.05 ? "warn" : "";
          const title = [c.provider + " / " + c.key, "weight " + c.weight + " (effective " + c.effective_weight + ")",
            c.enabled ? null : "disabled", "error rate " + pct(c.error_rate) + " (decaying, as adaptive_rr weighs it)",
            c.last_outcome ? "last try: " + c.last_outcome : "no failover try counted yet"].filter(Boolean).join("\n");
          return h("span", {class: "cand" + (c.enabled ? "" : " disabled"), title, "data-pair": c.provider + "/" + c.key},
            h("span", {class: "dot " + dotClass}),
            h("span", {}, c.provider, h("span", {class: "muted"}, " / "), c.key),
            c.weight !== 1 ? h("span", {class: "muted"}, "×" + c.weight) : null,
            c.attempts ? h("span", {class: "muted"}, pct(c.error_rate) + " err") : null,
            cooling ? h("span", {class: "countdown", "data-until": fetchedAt + c.cooldown_seconds * 1000},
              "cooling " + dur(c.cooldown_seconds)) : null,
            cooling && c.last_outcome ? h("span", {class: "muted"}, c.last_outcome) : null);
        }

        function renderRoutes(r, fetchedAt) {
          const cooling = r.pairs.filter(p => !p.healthy).length;
          $("route-count").textContent = r.total + " routes · " + r.pairs.length + " provider keys" +
            (cooling ? " · " + cooling + " cooling" : "");
          fill("pairs", r.pairs.map(p => candidateChip(Object.assign({enabled: true, weight: 1, effective_weight: 1}, p), fetchedAt)));
          const rows = r.routes.map(x => h("tr", {"data-route": x.user + "/" + x.service},
            h("td", {}, x.user), h("td", {}, x.service), h("td", {class: "opt muted"}, x.strategy),
            h("td", {}, h("div", {class: "chips"}, x.candidates.map(c => candidateChip(c, fetchedAt))))));
          if (r.total > r.routes.length) rows.push(h("tr", {}, h("td", {colspan: 4, class: "muted"},
            (r.total - r.routes.length) + " more routes not shown; /api/routes?user=NAME lists one user's.")));
          fill("routes", h("thead", {}, h("tr", {}, h("th", {}, "User"), h("th", {}, "Service"), h("th", {class: "opt"}, "Strategy"),
            h("th", {}, "Candidates"))), h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", {colspan: 4, class: "muted"}, "No routes."))));
        }

        function tick() {
          const now = Date.now();
          for (const e of document.querySelectorAll(".countdown[data-until]")) {
            const left = (Number(e.dataset.until) - now) / 1000;
            e.textContent = left > 0 ? "cooling " + dur(left) : "cooldown over";
          }
          if (state.lastOk) {
            const age = (now - state.lastOk) / 1000;
            const u = $("updated");
            u.textContent = "updated " + dur(age) + " ago";
            u.className = age > 3 * REFRESH_MS / 1000 ? "stale" : "";
          }
        }

        function syncSelect(id, values) {
          const sel = $(id), keep = sel.value;
          const wanted = ["", ...values];
          const have = [...sel.options].map(o => o.value);
          if (wanted.join("\u0000") !== have.join("\u0000")) {
            sel.replaceChildren(...wanted.map(v => h("option", {value: v}, v === "" ? "all" : v)));
          }
          sel.value = wanted.includes(keep) ? keep : "";
        }

        function attemptsText(list) {
          if (!list || list.length === 0) return "";
          return list.map(a => a.provider + "/" + a.key + (a.outcome === "ok" ? " ✓" : " ✗ " + a.outcome)).join(" → ");
        }

        function renderRequests(r) {
          $("request-count").textContent = r.count + " shown · last " + r.capacity + " kept";
          const rows = r.requests.map(q => h("tr", {"data-request": q.request_id},
            h("td", {class: "num muted", title: when(q.timestamp)}, clock(q.timestamp)),
            h("td", {}, statusBadge(q.status)),
            h("td", {}, q.user || h("span", {class: "muted"}, "–")),
            h("td", {}, q.service_type || h("span", {class: "muted"}, "–")),
            h("td", {class: "opt"}, q.upstream_provider ? [q.upstream_provider, h("span", {class: "muted"}, " / "), q.upstream_key] : ""),
            h("td", {class: "num"}, num(q.latency_ms) + " ms"),
            h("td", {class: "num opt"}, q.usage ? num(q.usage.total_tokens) : h("span", {class: "muted"}, "–")),
            h("td", {class: "num opt"}, num(q.bytes_in) + " / " + num(q.bytes_out)),
            h("td", {class: "opt"}, h("code", {}, q.method + " " + q.path),
              q.attempts.length > 1 ? h("div", {class: "muted"}, attemptsText(q.attempts)) : null,
              q.error ? h("div", {class: "err"}, q.error) : null)));
          fill("requests", h("thead", {}, h("tr", {}, h("th", {class: "num"}, "Time"), h("th", {}, "Status"), h("th", {}, "User"),
            h("th", {}, "Service"), h("th", {class: "opt"}, "Upstream"), h("th", {class: "num"}, "Latency"),
            h("th", {class: "num opt"}, "Tokens"), h("th", {class: "num opt"}, "Bytes in/out"), h("th", {class: "opt"}, "Request"))),
            h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", {colspan: 9, class: "muted"}, "No requests match."))));
        }

        function dayKey(d) { return d.toISOString().slice(0, 10); }
        /** A chart top above x whose quarter is a round step (1, 2 or 5 × 10^n): four even gridlines. */
        function niceCeil(x) {
          const raw = Math.max(x / 4, 1), p = Math.pow(10, Math.floor(Math.log10(raw)));
          return 4 * [1, 2, 5, 10].map(m => m * p).find(v => v >= raw);
        }

        function renderUsage(u) {
          const tokens = u.totals.total_tokens > 0;
          const metric = tokens ? "total_tokens" : "requests";
          $("usage-title").textContent = tokens ? "Tokens per user per day" : "Requests per user per day";
          $("usage-note").textContent = tokens
            ? num(u.totals.total_tokens) + " tokens · " + num(u.totals.requests) + " requests" +
              (u.totals.cost_usd ? " · $" + u.totals.cost_usd.toFixed(2) : "") + " (" + u.source + ")"
            : "No token counts in the request records yet, so requests are shown (" + u.source + ", since " + when(u.started_at) + ").";
          const days = [];
          const today = new Date();
          for (let i = CHART_DAYS - 1; i >= 0; i--) days.push(dayKey(new Date(today.getTime() - i * 86400000)));
          const users = [...new Set(u.rows.map(r => r.user || "?"))].sort();
          const totalsByUser = {};
          const cell = {};
          for (const r of u.rows) {
            const user = r.user || "?";
            cell[r.day + "\u0000" + user] = (cell[r.day + "\u0000" + user] || 0) + r[metric];
            totalsByUser[user] = (totalsByUser[user] || 0) + r[metric];
          }
          const dayTotals = days.map(d => users.reduce((s, user) => s + (cell[d + "\u0000" + user] || 0), 0));
          const max = niceCeil(Math.max(1, ...dayTotals));
          const W = Math.max(300, Math.min(900, $("chart").clientWidth || 640)), H = W < 500 ? 180 : 220;
          const L = 44, B = 22, T = 8, plotH = H - B - T, step = (W - L) / days.length, bw = Math.max(4, step * 0.7);
          const chart = svg("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": $("usage-title").textContent});
          for (let i = 0; i <= 4; i++) {
            const v = max * i / 4, y = T + plotH - plotH * i / 4;
            chart.append(svg("line", {x1: L, x2: W, y1: y, y2: y, class: "grid"}),
              svg("text", {x: L - 6, y: y + 4, "text-anchor": "end"}, num(v)));
          }
          days.forEach((d, i) => {
            let y = T + plotH;
            const x = L + i * step + (step - bw) / 2;
            for (const user of users) {
              const v = cell[d + "\u0000" + user] || 0;
              if (!v) continue;
              const hgt = plotH * v / max;
              y -= hgt;
              chart.append(svg("rect", {x, y, width: bw, height: Math.max(hgt, 0.5), rx: 2, fill: color(user, users), "data-user": user, "data-day": d},
                svg("title", {}, `${user} · ${d} · ${num(v)} ${tokens ? "tokens" : "requests"}`)));
            }
            if ((days.length - 1 - i) % Math.ceil(days.length / (W < 500 ? 4 : 7)) === 0)
              chart.append(svg("text", {x: L + i * step + step / 2, y: H - 6, "text-anchor": "middle"}, d.slice(5)));
          });
          fill("chart", chart);
          fill("legend", users.length ? users.map(user => {
            const sw = h("i", {class: "swatch"});
            sw.style.background = color(user, users);
            return h("span", {"data-user": user}, sw, user, h("span", {class: "muted"}, num(totalsByUser[user])));
          }) : h("span", {class: "muted"}, "Nothing counted yet."));
        }

        function meter(use, limit) {
          if (limit == null) return h("span", {class: "muted"}, "–");
          const b = h("div", {class: "bar" + (use >= limit ? " hot" : "")}, h("i"));
          b.firstChild.style.width = Math.min(100, limit > 0 ? 100 * use / limit : 100) + "%";
          return [h("div", {}, num(use) + " / " + num(limit)), b];
        }

        function renderLimits(l) {
          const card = $("limits-card");
          card.hidden = l.users.length === 0;
          if (card.hidden) return;
          fill("limits", h("thead", {}, h("tr", {}, h("th", {}, "User"), h("th", {}, "Requests / min"), h("th", {}, "Concurrent"),
            h("th", {}, "Tokens today"), h("th", {class: "opt"}, "Tokens this month"), h("th", {class: "opt"}, "USD today"),
            h("th", {class: "opt"}, "USD this month"))),
            h("tbody", {}, l.users.map(u => h("tr", {"data-user": u.user}, h("td", {}, u.user),
              h("td", {}, meter(u.use.requests_last_minute, u.limits.requests_per_minute)),
              h("td", {}, meter(u.use.in_flight, u.limits.concurrent_requests)),
              h("td", {}, meter(u.use.tokens_today, u.limits.tokens_per_day)),
              h("td", {class: "opt"}, meter(u.use.tokens_this_month, u.limits.tokens_per_month)),
              h("td", {class: "opt"}, meter(u.use.usd_today, u.limits.usd_per_day)),
              h("td", {class: "opt"}, meter(u.use.usd_this_month, u.limits.usd_per_month))))));
        }

        function requestQuery() {
          const p = new URLSearchParams();
          for (const k of ["user", "service", "status", "limit"]) { const v = $("f-" + k).value; if (v) p.set(k, v); }
          return "/api/requests?" + p.toString();
        }

        async function refreshRequests() {
          const r = await api(requestQuery());
          renderRequests(r);
        }

        async function refresh() {
          clearTimeout(state.timer);
          try {
            const since = dayKey(new Date(Date.now() - (CHART_DAYS - 1) * 86400000));
            const [status, routes, usage, limits] = await Promise.all([api("/api/status"), api("/api/routes?limit=500"),
              api("/api/usage?by=user,day&since=" + since), api("/api/limits")]);
            const fetchedAt = Date.now();
            renderStatus(status);
            renderRoutes(routes, fetchedAt);
            const users = [...new Set(routes.routes.map(x => x.user))].sort();
            const services = [...new Set(routes.routes.map(x => x.service))].sort();
            syncSelect("f-user", users);
            syncSelect("f-service", services);
            renderUsage(usage);
            renderLimits(limits);
            await refreshRequests();
            state.lastOk = Date.now();
            fill("alerts");
          } catch (e) {
            fill("alerts", h("div", {class: "alert", role: "alert"}, "Cannot refresh: " + e.message + ". Showing the last data received."));
          }
          tick();
          state.timer = setTimeout(refresh, document.hidden ? REFRESH_MS * 6 : REFRESH_MS);
        }

        for (const id of ["f-user", "f-service", "f-status", "f-limit"])
          $(id).addEventListener("change", () => refreshRequests().catch(() => {}));
        document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
        setInterval(tick, 1000);
        refresh();
        """#
}
