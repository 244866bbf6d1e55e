package dev.ipclab.demos.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.Check;
import dev.ipclab.demos.Demo;
import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.Verdict;
import dev.ipclab.demos.evidence.AddressSpaceEvidence;
import dev.ipclab.demos.evidence.AsyncIoEvidence;
import dev.ipclab.demos.evidence.CoroutinesEvidence;
import dev.ipclab.demos.evidence.CreationCostEvidence;
import dev.ipclab.demos.evidence.DemoEvidence;
import dev.ipclab.demos.evidence.ParallelismEvidence;
import dev.ipclab.demos.evidence.ThreadStatesEvidence;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each demo's chart, drawn from a hand-built evidence record; and none where the record lacks what it needs. */
class DemoChartsTest {
  private static final AddressSpaceEvidence.FixedAddress FIXED = new AddressSpaceEvidence.FixedAddress(
      0x7e1500000000L, "0x7e1500000000", 1, List.of(11L, 22L), List.of());
  private static final AddressSpaceEvidence.SharedFile SHM = new AddressSpaceEvidence.SharedFile(
      "/dev/shm/ipclab-1-x", List.of(923210L, 1622979L), List.of(923210L, 1622979L),
      List.of(0x7f0000000000L, 0x7e0000000000L));

  /** A result of demo {@code name} with {@code evidence} and workers 11 and 22. */
  static DemoResult result(String name, DemoEvidence evidence) {
    return DemoResult.builder(demo(name)).prediction("p").pid("worker-1", 11).pid("worker-2", 22)
        .evidence(evidence).build(Verdict.of(List.of(Check.that("x", true, "y", "z"))));
  }

  private static Demo demo(String name) {
    return new Demo() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String claim() {
        return "a claim";
      }

      @Override
      public DemoResult run(DemoContext context) {
        throw new UnsupportedOperationException();
      }
    };
  }

  @Test
  void addressSpaceShowsEachWorkersValueAtTheOneAddressAndWhatCrossedTheSharedFile() {
    String svg = DemoCharts.chart(result("address-space", new AddressSpaceEvidence(List.of(), List.of(),
        List.of(), FIXED, SHM))).orElseThrow();
    assertThat(svg).contains("virtual address 0x7e1500000000", "value read there: 11", "value read there: 22",
        "/dev/shm/ipclab-1-x", "/dev/shm file mapped at 0x7f0000000000", "/dev/shm file mapped at 0x7e0000000000",
        "worker-1 wrote 923210 → worker-2 read 923210;  worker-2 wrote 1622979 → worker-1 read 1622979");
  }

  @Test
  void addressSpaceGetsNoChartWithoutTheAddressOrTheSharedFile() {
    var refused = new AddressSpaceEvidence.FixedAddress(null, null, 5, List.of(), List.of("0x1: [EEXIST]"));
    assertThat(DemoCharts.chart(result("address-space", new AddressSpaceEvidence(List.of(), List.of(), List.of(),
        refused, SHM)))).isEmpty();
    assertThat(DemoCharts.chart(result("address-space", new AddressSpaceEvidence(List.of(), List.of(), List.of(),
        FIXED, null)))).isEmpty();
  }

  @Test
  void threadStatesSplitTheWindowIntoRunningReadyAndBlocked() {
    DemoResult r = result("thread-states", new ThreadStatesEvidence(2, 2500.0, Map.of(), Map.of(), List.of(
        new ThreadStatesEvidence.ThreadWindow(5, "cpu", 250.0, 2200.0),
        new ThreadStatesEvidence.ThreadWindow(6, "sleeping", 0.0, 0.0)), List.of(), List.of(), 0.0, 1.0, 1.0, 3,
        "0.50"));
    String svg = DemoCharts.chart(r).orElseThrow();
    assertThat(svg).contains("tid 5 cpu", "tid 6 sleeping", "running (on CPU)", "ready (run-queue wait)",
        "blocked or asleep", "tid 5 cpu blocked or asleep: 50", "tid 6 sleeping blocked or asleep: 2500");
  }

  @Test
  void threadStatesWithoutTheWindowGetsNoChart() {
    // As the demo reports it on a kernel without schedstat: it stopped before the window.
    assertThat(DemoCharts.chart(result("thread-states", new ThreadStatesEvidence(2, null,
        Map.of("cpu", List.of(5L)), Map.of(), List.of(), List.of(), List.of(), null, null, null, null, null))))
        .isEmpty();
  }

  @Test
  void parallelismDrawsALanePerCpuAndNothingWhenNoUnitRan() {
    var unit = new ParallelismEvidence.Unit("4 processes on CPU 0", 0, 10, 10, List.of(0), 0, 100,
        List.of(new ParallelismEvidence.Segment(0, 0, 40), new ParallelismEvidence.Segment(0, 60, 100)));
    String svg = DemoCharts.chart(result("parallelism", new ParallelismEvidence(List.of(0, 1), 1000L, 0.1,
        Map.of("4 processes on CPU 0", 1.0), List.of(unit)))).orElseThrow();
    assertThat(svg).contains("4 processes on CPU 0 · CPU 0", "unit 0, pid 10 on CPU 0, 60–100 ms");
    // As the demo reports it with one CPU: it stopped before any unit ran.
    assertThat(DemoCharts.chart(result("parallelism", new ParallelismEvidence(List.of(0), null, null, Map.of(),
        List.of())))).isEmpty();
  }

  @Test
  void creationCostDrawsABarPerMeasuredMedianAndNoCdfWithoutItsRows() {
    var e = new CreationCostEvidence(0, 1 << 20, Map.of("process, ProcessBuilder /bin/true", 1921.3,
        "thread ⇄ thread, blocking hand-off", Double.NaN), Map.of(), Map.of(), Map.of(), 0, 0, 0, 0);
    List<DemoCharts.Figure> figures = DemoCharts.figures(result("creation-cost", e));
    assertThat(figures).extracting(DemoCharts.Figure::id).containsExactly("chart-creation-cost");
    assertThat(figures.get(0).svg()).contains("process, ProcessBuilder /bin/true")
        .doesNotContain("blocking hand-off");
  }

  private static CoroutinesEvidence coroutines(List<CoroutinesEvidence.Step> steps) {
    var crowd = new CoroutinesEvidence.Crowd(10, 10, 10, 20, 1.0, null, 1.0, 5.0, 5.0, "");
    return new CoroutinesEvidence(0.2, 3, 20_000, 20.0, "A1 B1 A2", steps, List.of(7L), "ForkJoinPool-1-w", 6, 0,
        new CoroutinesEvidence.Generator(List.of(1L, 1L, 2L), 3, 0), crowd, crowd, 25.0, 10.0);
  }

  @Test
  void coroutinesDrawEachStepOnItsCarrierUntilTheNextStep() throws Exception {
    String svg = DemoCharts.chart(result("coroutines", coroutines(List.of(new CoroutinesEvidence.Step("A", 1, 7, 0),
        new CoroutinesEvidence.Step("B", 1, 7, 30), new CoroutinesEvidence.Step("A", 2, 7, 50))))).orElseThrow();
    SvgDoc doc = new SvgDoc(svg);
    // Two spans, A1 and B1: the last step has no measured end.
    assertThat(doc.all("rect", "bar")).hasSize(2);
    assertThat(doc.texts("row-label")).containsExactly("carrier tid 7");
    assertThat(doc.texts("legend")).containsExactly("virtual thread A", "virtual thread B");
    assertThat(DemoCharts.chart(result("coroutines", coroutines(List.of(new CoroutinesEvidence.Step("A", 1, 7,
        0)))))).isEmpty();
  }

  private static AsyncIoEvidence.Page page(List<AsyncIoEvidence.ImageLoad> timeline) {
    return new AsyncIoEvidence.Page(800, List.of(5L), 2, 20, 22, List.of(), List.of(), List.of(), timeline);
  }

  @Test
  void asyncIoDrawsAWaterfallOfEveryModeThatLoadedImages() throws Exception {
    var image = new AsyncIoEvidence.ImageLoad(1, 800, 2048, 0.5, 800.4, 802.0, 5, "page-loop-1");
    var evidence = new AsyncIoEvidence(List.of(new AsyncIoEvidence.ImageServer(1, 10, 4000, 800, 2048)), 800, 800,
        800, "/tmp/x", page(List.of(image)), page(List.of()), page(List.of(image)), "ep_poll", List.of(7), 1);
    SvgDoc doc = new SvgDoc(DemoCharts.chart(result("async-io", evidence)).orElseThrow());
    // No lane for the mode without a timeline; two spans per image: waiting for it, then writing it.
    assertThat(doc.texts("row-label")).containsExactly("sync · image 1", "async · image 1");
    assertThat(doc.all("rect", "bar")).hasSize(4);
    assertThat(doc.texts("legend")).containsExactly("request until the response arrived",
        "arrived until written to disk");
    var empty = new AsyncIoEvidence(List.of(), 0, 0, 0, "/tmp/x", page(List.of()), page(List.of()),
        page(List.of()), "", List.of(), 0);
    assertThat(DemoCharts.chart(result("async-io", empty))).isEmpty();
  }

  @Test
  void aDemoThatFailedBeforeItMeasuredGetsNoFigure() {
    DemoResult failed = DemoResult.builder(demo("coroutines")).prediction("p")
        .build(Verdict.error("the worker died"));
    assertThat(DemoCharts.figures(failed)).isEmpty();
  }
}
