package dev.ipclab.demos.report;

import static dev.ipclab.demos.report.Svg.escape;

import dev.ipclab.demos.Check;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.Table;
import java.util.List;

/**
 * One self-contained HTML page for a run of demos: inline CSS and SVG, nothing loaded from anywhere, so it opens
 * offline and can be mailed. Per demo (section {@code demo-NAME}): claim, prediction, verdict badge, charts
 * ({@code chart-NAME}, then any further ones such as {@code chart-NAME-rtt}), checks and evidence tables.
 */
public final class HtmlReport {
  private HtmlReport() {}

  /** The page for {@code results}, in their order. */
  public static String render(List<DemoResult> results) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>ipclab demo report</title><style>").append(ReportStyle.CSS).append("</style></head><body>")
        .append("<main><h1>ipclab demo report</h1><p class=\"lead\">Every number below was measured in this run.")
        .append("</p><nav><ul>");
    for (DemoResult r : results) {
      h.append("<li><a href=\"#demo-").append(escape(r.demo())).append("\">").append(escape(r.demo()))
          .append("</a> ").append(badge(r)).append("</li>");
    }
    h.append("</ul></nav>");
    results.forEach(r -> section(h, r));
    h.append("</main></body></html>\n");
    return h.toString();
  }

  private static void section(StringBuilder h, DemoResult r) {
    String name = escape(r.demo());
    h.append("<section class=\"demo\" id=\"demo-").append(name).append("\"><h2>").append(name).append(' ')
        .append(badge(r)).append("</h2>");
    h.append("<p><b>Claim.</b> ").append(escape(r.claim())).append("</p>");
    h.append("<p><b>Prediction.</b> ").append(escape(r.prediction())).append("</p>");
    if (r.shows() != null) {
      h.append("<p><b>What this shows.</b> ").append(escape(r.shows())).append("</p>");
    }
    if (r.transport() != null) {
      h.append("<p class=\"meta\">transport: ").append(escape(r.transport())).append(" · ran ")
          .append(r.elapsedMillis()).append(" ms</p>");
    }
    if (r.verdict().reason() != null) {
      h.append("<p class=\"reason\">").append(escape(r.verdict().reason())).append("</p>");
    }
    for (DemoCharts.Figure f : DemoCharts.figures(r)) {
      h.append("<figure class=\"chart-box\" id=\"").append(escape(f.id())).append("\">")
          // HTML puts an inline <svg> in the SVG namespace by itself; without the xmlns no URL is in the page at all.
          .append(f.svg().replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")).append("</figure>");
    }
    if (!r.verdict().checks().isEmpty()) {
      h.append("<table class=\"checks\"><caption>Checks behind the verdict</caption><tr><th></th><th>check</th>")
          .append("<th>expected</th><th>measured</th></tr>");
      for (Check c : r.verdict().checks()) {
        h.append("<tr class=\"").append(c.passed() ? "pass" : "fail").append("\"><td>")
            .append(c.passed() ? "✔" : "✘").append("</td><td>").append(escape(c.name())).append("</td><td>")
            .append(escape(c.expected())).append("</td><td>").append(escape(c.measured())).append("</td></tr>");
      }
      h.append("</table>");
    }
    // The short summary first, as in the text output: the one table that proves the claim; the rest behind it.
    int key = Math.min(r.keyTable(), Math.max(0, r.tables().size() - 1));
    if (!r.tables().isEmpty()) {
      table(h, r.tables().get(key));
    }
    if (r.tables().size() > 1 || !r.notes().isEmpty()) {
      h.append("<details><summary>Every table and note</summary>");
      for (int i = 0; i < r.tables().size(); i++) {
        if (i != key) {
          table(h, r.tables().get(i));
        }
      }
      if (!r.notes().isEmpty()) {
        h.append("<ul class=\"notes\">");
        r.notes().forEach(n -> h.append("<li>").append(escape(n)).append("</li>"));
        h.append("</ul>");
      }
      h.append("</details>");
    }
    h.append("</section>");
  }

  private static void table(StringBuilder h, Table t) {
    h.append("<table class=\"evidence\"><caption>").append(escape(t.title())).append("</caption><tr>");
    t.columns().forEach(c -> h.append("<th>").append(escape(c)).append("</th>"));
    h.append("</tr>");
    for (List<Object> row : t.rows()) {
      h.append("<tr>");
      for (Object cell : row) {
        h.append(cell instanceof Number ? "<td class=\"num\">" : "<td>").append(escape(text(cell)))
            .append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table>");
  }

  /** As the text output shows it: fractions with a few significant digits. */
  private static String text(Object cell) {
    if (cell instanceof Double || cell instanceof Float) {
      double v = ((Number) cell).doubleValue();
      return Ticks.format(BarChart.round(v));
    }
    return String.valueOf(cell);
  }

  private static String badge(DemoResult r) {
    String css = switch (r.verdict().outcome()) {
      case HOLDS -> "holds";
      case FAILS -> "fails";
      case NOT_APPLICABLE -> "na";
      case ERROR -> "error";
    };
    return "<span class=\"badge " + css + "\">" + escape(r.verdict().outcome().words()) + "</span>";
  }
}
