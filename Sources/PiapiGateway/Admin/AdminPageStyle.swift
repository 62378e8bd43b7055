extension AdminPage {
    /// The page's stylesheet: light and dark, one column on a phone, a grid on a laptop.
    static let style = #"""
        :root{--bg:#f5f6f8;--card:#fff;--fg:#1d2330;--muted:#6b7385;--line:#e3e6ec;--accent:#3b6fe0;
        --ok:#1f9d55;--warn:#d98a00;--bad:#d64545;--off:#9aa1af;--chip:#eef1f6;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
        @media (prefers-color-scheme:dark){:root{--bg:#12151b;--card:#1a1e26;--fg:#e4e7ee;--muted:#8e96a8;--line:#2a303c;
        --accent:#7aa2ff;--chip:#242a35;--off:#5d6473}}
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%}
        body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
        header{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.7rem 1.2rem;
        background:var(--card);border-bottom:1px solid var(--line)}
        .brand{font-weight:700;font-size:1.05rem;letter-spacing:.01em}
        .brand span{font-weight:400;color:var(--muted)}
        #summary{display:flex;flex-wrap:wrap;gap:.35rem;flex:1}
        .stat{background:var(--chip);border-radius:999px;padding:.1rem .6rem;white-space:nowrap}
        .stat b{font-weight:600}
        #updated{color:var(--muted);font-size:.85rem;white-space:nowrap}
        #alerts:empty{display:none}
        #updated.stale{color:var(--bad)}
        main{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,26rem),1fr));gap:1rem;padding:1rem 1.2rem;
        max-width:110rem;margin:0 auto}
        .card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:.9rem 1rem;min-width:0}
        .wide{grid-column:1/-1}
        h2{font-size:1rem;margin:0 0 .6rem;display:flex;align-items:baseline;gap:.5rem;flex-wrap:wrap}
        h2 small{font-weight:400;color:var(--muted);font-size:.85rem}
        .muted{color:var(--muted)}
        .alert{grid-column:1/-1;border-radius:8px;padding:.6rem .9rem;background:#fdecec;color:#8a1f1f;border:1px solid #f3c1c1}
        @media (prefers-color-scheme:dark){.alert{background:#3a1d1f;color:#ffb4b4;border-color:#5c2a2d}}
        .table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch}
        table{border-collapse:collapse;width:100%}
        th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
        th{font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.03em;white-space:nowrap}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
        tr:last-child td{border-bottom:0}
        code,.mono{font-family:var(--mono);font-size:.85em}
        .chips{display:flex;flex-wrap:wrap;gap:.35rem}
        .cand{display:inline-flex;flex-wrap:wrap;align-items:center;gap:0 .35rem;background:var(--chip);border-radius:6px;
        padding:.12rem .5rem;font-size:.85rem;max-width:100%}
        .cand>span{white-space:nowrap}
        .cand.disabled{opacity:.55;text-decoration:line-through}
        .dot{width:.6rem;height:.6rem;border-radius:50%;background:var(--ok);flex:none}
        .dot.cool{background:var(--bad)}.dot.warn{background:var(--warn)}.dot.off{background:var(--off)}.dot.idle{background:var(--off)}
        .countdown{font-variant-numeric:tabular-nums;color:var(--bad);font-weight:600}
        .badge{display:inline-block;border-radius:5px;padding:0 .4rem;font-weight:600;font-size:.8rem;font-variant-numeric:tabular-nums}
        .s2{background:#dff3e7;color:#17703d}.s3{background:#e3ebfb;color:#2a4f9e}.s4{background:#fbefd9;color:#8a5a00}
        .s5{background:#fbe0e0;color:#a02c2c}.s0{background:var(--chip);color:var(--muted)}
        @media (prefers-color-scheme:dark){.s2{background:#16382a;color:#7fe0a8}.s3{background:#1c2b4a;color:#9dbaff}
        .s4{background:#3d2f12;color:#f1c26b}.s5{background:#46201f;color:#ff9c9c}}
        .filters{display:flex;flex-wrap:wrap;gap:.5rem;margin:0 0 .6rem}
        .filters label{display:flex;flex-direction:column;font-size:.75rem;color:var(--muted);gap:.15rem}
        select{font:inherit;color:var(--fg);background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.25rem .4rem;
        min-width:7rem}
        ul.reloads{list-style:none;margin:0;padding:0}
        ul.reloads li{display:flex;gap:.5rem;align-items:baseline;padding:.35rem 0;border-bottom:1px solid var(--line);flex-wrap:wrap}
        ul.reloads li:last-child{border-bottom:0}
        .err{color:var(--bad);font-family:var(--mono);font-size:.8rem;word-break:break-word}
        .chart svg{width:100%;height:auto;display:block}
        .chart text{fill:var(--muted);font-size:11px}
        .chart .grid{stroke:var(--line)}
        .legend{display:flex;flex-wrap:wrap;gap:.3rem .9rem;margin-top:.4rem;font-size:.85rem}
        .legend span{display:inline-flex;align-items:center;gap:.3rem}
        .swatch{width:.75rem;height:.75rem;border-radius:3px;display:inline-block}
        .bar{height:.45rem;background:var(--chip);border-radius:4px;overflow:hidden;min-width:5rem}
        .bar i{display:block;height:100%;background:var(--accent)}
        .bar.hot i{background:var(--bad)}
        footer{text-align:center;color:var(--muted);font-size:.8rem;padding:0 1rem 1.5rem}
        @media (max-width:640px){header{position:static;padding:.6rem .8rem}#summary{order:3;flex-basis:100%}
        main{padding:.7rem;gap:.7rem}.opt{display:none}
        .card{padding:.7rem}th,td{padding:.3rem .35rem}}
        """#
}
