package dev.ipclab.demos.report;

/** The report's stylesheet, inline so the page needs nothing else: one column that reads at 1280 px, and print. */
final class ReportStyle {
  private ReportStyle() {}

  static final String CSS = """
      body { font: 15px/1.45 system-ui, sans-serif; color: #222; margin: 0; background: #f6f6f4; }
      main { max-width: 1160px; margin: 0 auto; padding: 16px 24px; background: #fff; }
      h1 { margin: 8px 0; } h2 { margin: 0 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
      nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
      section.demo { margin: 28px 0; break-inside: auto; }
      .badge { font-size: 13px; padding: 2px 8px; border-radius: 10px; color: #fff; vertical-align: middle; }
      .badge.holds { background: #2e7d32; } .badge.fails { background: #c62828; }
      .badge.na { background: #757575; } .badge.error { background: #6a1b9a; }
      .meta, .reason { color: #555; }
      figure.chart-box { margin: 12px 0; overflow-x: auto; }
      svg.chart { max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
      svg .title { font-size: 15px; font-weight: 600; }
      svg .plot { fill: #fafafa; stroke: #999; }
      svg .grid { stroke: #e4e4e4; } svg .tick, svg .axis { stroke: #444; }
      svg .axis-title { font-size: 13px; } svg .row-label, svg .tick-label, svg .value { fill: #333; }
      svg .value.inside { fill: #fff; } svg .series { stroke-width: 2; } svg .bar { stroke: #fff; stroke-width: 0.5; }
      svg .process { stroke: #333; stroke-width: 1.5; fill: none; } svg .private { stroke: #4a7fa5; }
      svg .bridge { stroke: #c66a1d; } svg .box-title { font-weight: 600; font-size: 14px; }
      table { border-collapse: collapse; margin: 10px 0; font-size: 13px; }
      caption { text-align: left; font-weight: 600; padding: 4px 0; }
      th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; } td.num { text-align: right; }
      tr.pass td:first-child { color: #2e7d32; } tr.fail td:first-child { color: #c62828; }
      @media print {
        body { background: #fff; font-size: 11px; } main { max-width: none; padding: 0; }
        nav { display: none; } section.demo { break-before: page; } figure.chart-box { break-inside: avoid; }
        .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        svg.chart { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
      }
      """;
}
