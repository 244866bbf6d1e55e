package dev.ipclab.parent.report;

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
  void textIsEscaped() {
    assertThat(Svg.escape("a<b & \"c\"")).isEqualTo("a&lt;b &amp; &quot;c&quot;");
  }
}
