package dev.ipclab.demos.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** Geometry and labels of each chart: well-formed XML, bars inside the plot at the right scale, title and legend. */
class ChartsTest {

  @Test
  void barChartOnLogScalePutsBarEndsAtTheirValues() throws Exception {
    SvgDoc doc = new SvgDoc(new BarChart("Costs", "median (µs), log scale", true)
        .bar(new BarChart.Bar("process", "creation", 1921)).bar(new BarChart.Bar("thread", "creation", 110))
        .bar(new BarChart.Bar("pipe ⇄ <process>", "round trip", 16.7)).render());
    Element plot = doc.plot();
    List<Element> bars = doc.all("rect", "bar");
    assertThat(bars).hasSize(3).allSatisfy(b -> assertThat(SvgDoc.inside(b, plot)).isTrue());
    LogScale s = LogScale.decades(16.7, 1921, SvgDoc.d(plot, "x"), SvgDoc.d(plot, "x") + SvgDoc.d(plot, "width"));
    assertThat(SvgDoc.d(bars.get(0), "width")).isEqualTo(s.map(1921) - s.r0(), within(0.11));
    // The longest of three values in decades 10..10000 ends at log10(1921) - 1 of 3 decades.
    assertThat(SvgDoc.d(bars.get(1), "width") / SvgDoc.d(plot, "width"))
        .isEqualTo((Math.log10(110) - 1) / 3, within(0.001));
    assertThat(doc.texts("tick-label")).containsExactly("10", "100", "1000", "10000");
    assertThat(doc.texts("axis-title")).containsExactly("median (µs), log scale");
    assertThat(doc.texts("title")).containsExactly("Costs");
    assertThat(doc.texts("legend")).containsExactly("creation", "round trip");
    assertThat(doc.texts("row-label")).contains("pipe ⇄ <process>");
  }

  @Test
  void logBarChartRefusesAZero() {
    assertThatThrownBy(() -> new BarChart("t", "u", true).bar(new BarChart.Bar("x", "s", 0)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ganttSpansSitInTheirLaneAtTheirTimes() throws Exception {
    SvgDoc doc = new SvgDoc(new GanttChart("Units", "time (ms)")
        .span(new GanttChart.Span("CPU 0", 0, 500, "process 7", null))
        .span(new GanttChart.Span("CPU 1", 250, 1000, "process 8", "unit 2"))
        .span(new GanttChart.Span("CPU 0", 500, 500.2, "process 7", null)).render());
    Element plot = doc.plot();
    List<Element> bars = doc.all("rect", "bar");
    assertThat(bars).hasSize(3).allSatisfy(b -> assertThat(SvgDoc.inside(b, plot)).isTrue());
    double left = SvgDoc.d(plot, "x");
    double width = SvgDoc.d(plot, "width");
    assertThat(SvgDoc.d(bars.get(0), "x")).isEqualTo(left, within(0.11));
    assertThat(SvgDoc.d(bars.get(1), "x")).isEqualTo(left + width / 4, within(0.11));
    assertThat(SvgDoc.d(bars.get(1), "x") + SvgDoc.d(bars.get(1), "width")).isEqualTo(left + width, within(0.2));
    // The same lane, the same row; a tiny span is still visible.
    assertThat(bars.get(2).getAttribute("y")).isEqualTo(bars.get(0).getAttribute("y"));
    assertThat(SvgDoc.d(bars.get(2), "width")).isGreaterThanOrEqualTo(1.0);
    assertThat(SvgDoc.d(bars.get(1), "y")).isGreaterThan(SvgDoc.d(bars.get(0), "y"));
    assertThat(doc.texts("row-label")).containsExactly("CPU 0", "CPU 1");
    assertThat(doc.texts("legend")).containsExactly("process 7", "process 8");
    assertThat(doc.texts("axis-title")).containsExactly("time (ms)");
    assertThat(doc.texts("tick-label")).first().isEqualTo("0");
  }

  @Test
  void longRowLabelsWidenTheLabelColumnUpToHalfTheChart() throws Exception {
    String label = "4 processes, all CPUs · CPU 0+1 · process 28981";
    Element plot = new SvgDoc(new GanttChart("t", "u").span(new GanttChart.Span(label, 0, 1, "s", null)).render())
        .plot();
    assertThat(SvgDoc.d(plot, "x")).isGreaterThanOrEqualTo(label.length() * 6.6);
    Element widest = new SvgDoc(new GanttChart("t", "u").span(new GanttChart.Span("x".repeat(500), 0, 1, "s",
        null)).render()).plot();
    assertThat(SvgDoc.d(widest, "x")).isEqualTo(Layout.WIDTH / 2);
  }

  @Test
  void stackedBarsAddUpAndStayInsideThePlot() throws Exception {
    SvgDoc doc = new SvgDoc(new StackedBarChart("States", "time (ms)", List.of("running", "ready", "blocked"))
        .row(new StackedBarChart.Row("tid 1", List.of(250.0, 2250.0, 10.0)))
        .row(new StackedBarChart.Row("tid 2", List.of(0.0, 0.0, 2510.0))).render());
    Element plot = doc.plot();
    List<Element> bars = doc.all("rect", "bar");
    assertThat(bars).hasSize(6).allSatisfy(b -> assertThat(SvgDoc.inside(b, plot)).isTrue());
    // Segments follow each other without a gap.
    for (int i = 0; i < 2; i++) {
      assertThat(SvgDoc.d(bars.get(i), "x") + SvgDoc.d(bars.get(i), "width"))
          .isEqualTo(SvgDoc.d(bars.get(i + 1), "x"), within(0.2));
    }
    double full = SvgDoc.d(bars.get(3), "x") + SvgDoc.d(bars.get(5), "width") - SvgDoc.d(plot, "x");
    assertThat(full).isEqualTo(SvgDoc.d(plot, "width"), within(0.2));
    assertThat(doc.texts("legend")).containsExactly("running", "ready", "blocked");
    assertThatThrownBy(() -> new StackedBarChart("t", "u", List.of("a")).row(new StackedBarChart.Row("r",
        List.of(-1.0)))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void processBoxesShowBothValuesAndTheOneBridge() throws Exception {
    String svg = ProcessBoxes.render("Address space", "0x7e1500000000", "/dev/shm/ipclab-1-x",
        new ProcessBoxes.Process("worker-1", 11, "11", "0x7f00", "923210", "1622979"),
        new ProcessBoxes.Process("worker-2", 22, "22", "0x7e00", "1622979", "923210"));
    SvgDoc doc = new SvgDoc(svg);
    assertThat(doc.all("rect", "process")).hasSize(2);
    assertThat(doc.all("rect", "bridge")).hasSize(1);
    Element bridge = doc.all("rect", "bridge").get(0);
    Element a = doc.all("rect", "process").get(0);
    Element b = doc.all("rect", "process").get(1);
    // The bridge reaches into both boxes.
    assertThat(SvgDoc.d(bridge, "x")).isLessThan(SvgDoc.d(a, "x") + SvgDoc.d(a, "width"));
    assertThat(SvgDoc.d(bridge, "x") + SvgDoc.d(bridge, "width")).isGreaterThan(SvgDoc.d(b, "x"));
    assertThat(doc.texts("box-text")).contains("virtual address 0x7e1500000000", "value read there: 11",
        "value read there: 22");
    assertThat(doc.texts("bridge-label")).first().isEqualTo("/dev/shm/ipclab-1-x");
    assertThat(doc.texts("legend")).hasSize(2);
  }

  @Test
  void cdfLinesClimbInsideThePlotFromTheirFirstToTheirLastMeasuredValue() throws Exception {
    SvgDoc doc = new SvgDoc(new CdfChart("Round trips", "latency (µs), log scale")
        .series(new CdfChart.Series("pipe ⇄ <process>", new double[] {1, 50, 99.9, 100},
            new double[] {12, 17, 40, 900}))
        .series(new CdfChart.Series("tcp", new double[] {1, 50, 100}, new double[] {30, 30, 2000})).render());
    Element plot = doc.plot();
    double left = SvgDoc.d(plot, "x");
    double top = SvgDoc.d(plot, "y");
    double right = left + SvgDoc.d(plot, "width");
    double bottom = top + SvgDoc.d(plot, "height");
    List<Element> lines = doc.all("polyline", "series");
    assertThat(lines).hasSize(2);
    LogScale x = LogScale.decades(12, 2000, left, right);
    for (Element line : lines) {
      double[][] pts = points(line);
      double lastY = Double.MAX_VALUE;
      for (double[] p : pts) {
        assertThat(p[0]).isBetween(left - 0.11, right + 0.11);
        assertThat(p[1]).isBetween(top - 0.11, bottom + 0.11);
        // Pixels grow downwards: a cumulative share never falls, so y never grows.
        assertThat(p[1]).isLessThanOrEqualTo(lastY);
        lastY = p[1];
      }
    }
    double[][] pipe = points(lines.get(0));
    // 12 µs at 1 %, 900 µs (the max) at 100 %, on decades 10 … 10000.
    assertThat(pipe[0][0]).isEqualTo(x.map(12), within(0.11));
    assertThat(pipe[0][1]).isEqualTo(bottom - 0.01 * (bottom - top), within(0.11));
    assertThat(pipe[pipe.length - 1][0]).isEqualTo(x.map(900), within(0.11));
    assertThat(pipe[pipe.length - 1][1]).isEqualTo(top, within(0.11));
    // A step: flat until the next measured value, then up, so 7 points for 4 measured ones.
    assertThat(pipe).hasNumberOfRows(7);
    assertThat(pipe[1][1]).isEqualTo(pipe[0][1]);
    assertThat(pipe[1][0]).isEqualTo(pipe[2][0]);
    assertThat(x.map(10)).isEqualTo(left);
    assertThat(x.map(10_000)).isEqualTo(right, within(1e-9));
    assertThat(doc.texts("tick-label")).containsSubsequence("10", "100", "1000", "10000")
        .containsSubsequence("0", "20", "40", "60", "80", "100");
    assertThat(doc.texts("axis-title")).containsExactly("latency (µs), log scale", "samples at or below (%)");
    assertThat(doc.texts("title")).containsExactly("Round trips");
    assertThat(doc.texts("legend")).containsExactly("pipe ⇄ <process>", "tcp");
    assertThat(doc.all("polyline", "series").get(0).getTextContent()).contains("p50 17 µs", "max 900 µs");
    // The legend stays above the plot.
    assertThat(doc.all("rect", "swatch")).allSatisfy(r -> assertThat(SvgDoc.d(r, "y") + 12).isLessThan(top));
  }

  @Test
  void cdfRefusesPointsThatAreNotACumulativeDistribution() {
    assertThatThrownBy(() -> new CdfChart.Series("s", new double[] {1, 2}, new double[] {5, 4}))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CdfChart.Series("s", new double[] {1}, new double[] {0}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static double[][] points(Element polyline) {
    String[] pairs = polyline.getAttribute("points").trim().split(" ");
    double[][] out = new double[pairs.length][];
    for (int i = 0; i < pairs.length; i++) {
      String[] xy = pairs[i].split(",");
      out[i] = new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])};
    }
    return out;
  }

  @Test
  void textIsEscaped() {
    assertThat(Svg.escape("a<b & \"c\"")).isEqualTo("a&lt;b &amp; &quot;c&quot;");
  }
}
