package dev.ipclab.demos.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ipclab.demos.evidence.ParallelismEvidence.Segment;
import dev.ipclab.demos.evidence.ParallelismEvidence.Unit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** CPU lanes of the parallelism chart: one per CPU a mode used, bars inside the plot, a colour per process. */
class ParallelismChartTest {
  private static Unit unit(String mode, int unit, long pid, long tid, List<Segment> segs) {
    return new Unit(mode, unit, pid, tid, List.of(0), 0.0, 100.0, segs);
  }

  private static Segment seg(int cpu, double start, double end) {
    return new Segment(cpu, start, end);
  }

  private static final List<Unit> UNITS = List.of(
      // Two processes interleaved on CPU 3.
      unit("2 processes on CPU 3", 0, 10, 10, List.of(seg(3, 0, 10), seg(3, 20, 30))),
      unit("2 processes on CPU 3", 1, 12, 12, List.of(seg(3, 10, 20), seg(3, 30, 40))),
      // Two threads of one process, one migrating from CPU 1 to CPU 0.
      unit("2 threads in one process", 0, 10, 21, List.of(seg(1, 0, 5), seg(0, 6, 20))),
      unit("2 threads in one process", 1, 10, 22, List.of(seg(1, 0, 20))));

  @Test
  void lanesAreTheDistinctCpusOfEachModeInOrder() throws Exception {
    SvgDoc doc = new SvgDoc(ParallelismChart.render(UNITS));
    assertThat(doc.texts("row-label")).containsExactly("2 processes on CPU 3 · CPU 3",
        "2 threads in one process · CPU 0", "2 threads in one process · CPU 1");
  }

  @Test
  void everySegmentIsABarInsideThePlotAtItsTimes() throws Exception {
    SvgDoc doc = new SvgDoc(ParallelismChart.render(UNITS));
    Element plot = doc.plot();
    List<Element> bars = doc.all("rect", "bar");
    assertThat(bars).hasSize(7).allSatisfy(b -> assertThat(SvgDoc.inside(b, plot)).isTrue());
    double left = SvgDoc.d(plot, "x");
    double perMs = SvgDoc.d(plot, "width") / 40;
    // The second segment of process 10: 20–30 ms, in the first lane.
    assertThat(SvgDoc.d(bars.get(1), "x")).isEqualTo(left + 20 * perMs, within(0.11));
    assertThat(SvgDoc.d(bars.get(1), "width")).isEqualTo(10 * perMs, within(0.2));
    assertThat(SvgDoc.d(bars.get(1), "y")).isEqualTo(SvgDoc.d(bars.get(2), "y"));
    // Thread 21's CPU 0 segment sits one lane above its CPU 1 segment.
    assertThat(SvgDoc.d(bars.get(5), "y")).isLessThan(SvgDoc.d(bars.get(4), "y"));
  }

  @Test
  void barsAreColouredByProcessOrByThreadWithALegend() throws Exception {
    SvgDoc doc = new SvgDoc(ParallelismChart.render(UNITS));
    assertThat(doc.texts("legend")).containsExactly("pid 10", "pid 12", "tid 21", "tid 22");
    List<Element> bars = doc.all("rect", "bar");
    assertThat(bars.get(0).getAttribute("fill")).isEqualTo(bars.get(1).getAttribute("fill"))
        .isNotEqualTo(bars.get(2).getAttribute("fill"));
    assertThat(bars.get(4).getAttribute("fill")).isNotEqualTo(bars.get(6).getAttribute("fill"));
  }

  @Test
  void unitsWithoutSegmentsGetNoLaneChart() {
    assertThat(ParallelismChart.render(List.of(unit("m", 0, 10, 10, List.of())))).isNull();
    assertThat(ParallelismChart.render(List.of(unit("m", 0, 10, 10, List.of(seg(1, 0, 5))),
        unit("m", 1, 12, 12, List.of())))).isNull();
  }
}
