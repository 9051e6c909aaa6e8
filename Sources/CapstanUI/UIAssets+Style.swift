extension UIAssets {
    /// One stylesheet for every page. Phase colours are Okabe and Ito's; every text colour
    /// meets WCAG AA contrast on its background; focus is always visible. Below 900px wide the
    /// node panel moves under the graph, and the graph scrolls inside its own box.
    static let style = """
        :root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; --focus: #1b1f24;
          font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
        body { margin: 0; line-height: 1.45; }
        a { color: #0a58b0; }
        .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
        .skip:focus { left: .5rem; z-index: 10; }
        .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        .top { display: flex; gap: 1rem; align-items: baseline; padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); }
        .brand { font-weight: 700; text-decoration: none; color: var(--ink); }
        main { padding: 1rem; max-width: 1600px; margin: 0 auto; }
        h1 { font-size: 1.4rem; margin: .2rem 0 .6rem; }
        h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
        h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
        h4 { font-size: .9rem; margin: .6rem 0 .2rem; }
        .muted { color: var(--muted); font-weight: normal; }
        :focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
        .crumbs { margin-bottom: .4rem; color: var(--muted); }
        .filter { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: end; margin-bottom: .8rem; }
        .filter label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
        .filter input, .filter select, .filter button { font: inherit; padding: .3rem .45rem; min-height: 2.2rem; }
        .error { color: #a4250b; }
        table { border-collapse: collapse; width: 100%; }
        .table-scroll { overflow-x: auto; }
        caption { text-align: left; color: var(--muted); padding: .3rem 0; }
        th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        tbody th { font-weight: 600; }
        .pages { margin-top: .6rem; display: flex; gap: 1rem; }
        .badge { display: inline-block; border-radius: .8rem; padding: 0 .55rem; font-size: .8rem; font-weight: 600; border: 2px solid; white-space: nowrap; }
        .badge.kind { border-color: var(--line); color: var(--muted); font-weight: normal; }
        .phase-pending { --fill: #f2f2f2; --stroke: #6e6e6e; }
        .phase-running { --fill: #dcebf7; --stroke: #0072b2; }
        .phase-succeeded { --fill: #d7f0e8; --stroke: #007a5a; }
        .phase-failed { --fill: #fbe3d6; --stroke: #c04f00; }
        .phase-skipped { --fill: #fbf6d0; --stroke: #8a7c00; }
        .phase-aborted { --fill: #f5e1ec; --stroke: #a8437f; }
        .badge[class*="phase-"] { background: var(--fill); border-color: var(--stroke); color: var(--ink); }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .4rem 0 .8rem; }
        .facts dt { color: var(--muted); }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        .workflow { display: grid; grid-template-columns: minmax(0, 1fr) minmax(300px, 420px); gap: 1.2rem; align-items: start; }
        #detail { border: 1px solid var(--line); border-radius: 8px; padding: .8rem; background: var(--panel); position: sticky; top: .5rem;
          max-height: calc(100vh - 1rem); overflow: auto; }
        .graph { margin: 0 0 1rem; }
        .graph .scroll { overflow: auto; max-height: 70vh; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
        .legend { display: flex; flex-wrap: wrap; gap: .35rem .6rem; list-style: none; padding: 0; margin: .4rem 0 0; }
        .dag { display: block; font-size: 13px; }
        .dag .edge { fill: none; stroke: #8c959f; stroke-width: 1.5; }
        .dag .arrowhead { fill: #8c959f; }
        .dag .node { cursor: pointer; }
        .dag .node .box, .dag .node .stack { fill: var(--fill); stroke: var(--stroke); stroke-width: 2; }
        .dag .node .inner { fill: none; stroke: var(--stroke); stroke-width: 1; }
        .dag .node.phase-skipped .box, .dag .node.phase-pending .box { stroke-dasharray: 5 3; }
        .dag .node text { fill: var(--ink); }
        .dag .node .name { font-weight: 600; }
        .dag .node .sub { fill: var(--muted); font-size: 12px; }
        .dag .node .glyph { fill: var(--stroke); }
        .dag .node.selected .box { stroke: var(--focus); stroke-width: 4; }
        .dag .node:focus { outline: none; }
        .dag .node:focus .box, .dag .node:hover .box { stroke-width: 4; }
        .dag .node:focus-visible .box { stroke: var(--focus); }
        .dag .exit-frame rect { fill: none; stroke: var(--muted); stroke-dasharray: 6 4; }
        .dag .exit-frame text { fill: var(--muted); font-style: italic; }
        pre { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem; overflow: auto; max-height: 24rem;
          font-size: .8rem; white-space: pre-wrap; overflow-wrap: anywhere; }
        .failures { padding-left: 1.4rem; }
        .failures li { margin-bottom: .5rem; }
        .links { margin: .2rem 0; }
        .child-nodes { font-size: .9rem; }
        @media (max-width: 900px) {
          .workflow { grid-template-columns: minmax(0, 1fr); }
          #detail { position: static; max-height: none; }
          main { padding: .6rem; }
        }

        """
}
