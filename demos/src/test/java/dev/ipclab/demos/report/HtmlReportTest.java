package dev.ipclab.demos.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.Check;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.Table;
import dev.ipclab.demos.Verdict;
import dev.ipclab.demos.evidence.CreationCostEvidence;
import dev.ipclab.demos.evidence.DemoEvidence;
import dev.ipclab.demos.evidence.ParallelismEvidence;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The page: self-contained, one section per demo with its badge, and a chart only where the evidence allows. */
class HtmlReportTest {

  private static DemoResult result(String demo, DemoEvidence evidence, Verdict verdict) {
    return new DemoResult(demo, "claim of " + demo, "prediction <of> " + demo, "pipe",
        List.of(Table.of("numbers", "what", "value (ms)").row("a", 1.5).build()), evidence, verdict,
        Map.of("parent", 1L, "worker-1", 2L, "worker-2", 3L), List.of("ps -p 2"), List.of("a note"), 42);
  }

  private static final Map<String, Double> MEDIANS = Map.of("process, ProcessBuilder /bin/true", 1921.3,
      "platform thread, start + join", 109.6, "thread ⇄ thread, spinning hand-off", 0.4);
  private static final DemoResult CREATION = result("creation-cost", creationCost(Map.of()),
      Verdict.of(List.of(Check.atLeast("ratio", 17, 10, "×"))));
  // Units without CPU segments: one lane per unit.
  private static final DemoResult PARALLEL = result("parallelism", new ParallelismEvidence(List.of(0, 1), 1000L,
      0.5, Map.of(), List.of(
      new ParallelismEvidence.Unit("4 processes, all CPUs", 0, 10, 11, List.of(0), 0.0, 480.0, List.of()),
      new ParallelismEvidence.Unit("4 processes, all CPUs", 1, 12, 13, List.of(1), 1.0, 470.0, List.of()))),
      Verdict.notApplicable("one CPU"));
  private static CreationCostEvidence creationCost(Map<String, CreationCostEvidence.Cdf> cdf) {
    return new CreationCostEvidence(0.1, 1 << 20, MEDIANS, cdf, Map.of(), Map.of("pipe", 60.0), 0.5, 1.0, 5.1, 40.2);
  }

  // A demo that failed before it measured: no evidence.
  private static final DemoResult BROKEN = result("async-io", null, Verdict.error("a worker died"));

  @Test
  void everyDemoHasASectionWithItsBadgeAndTables() {
    String html = HtmlReport.render(List.of(CREATION, PARALLEL, BROKEN));
    assertThat(html).startsWith("<!DOCTYPE html>")
        .contains("id=\"demo-creation-cost\"", "id=\"demo-parallelism\"", "id=\"demo-async-io\"")
        .contains("<span class=\"badge holds\">holds</span>", "badge na", "badge error")
        .contains("prediction &lt;of&gt; creation-cost", "<caption>numbers</caption>", "a worker died")
        .contains("@media print");
  }

  @Test
  void chartsAppearOnlyWhereTheEvidenceHoldsTheirNumbers() {
    String html = HtmlReport.render(List.of(CREATION, PARALLEL, BROKEN));
    assertThat(html).contains("id=\"chart-creation-cost\"", "id=\"chart-parallelism\"")
        .doesNotContain("id=\"chart-async-io\"");
    // One parallelism lane per unit, named by mode, the CPUs it ran on and its process.
    assertThat(html).contains("4 processes, all CPUs · CPU 0 · process 10",
        "4 processes, all CPUs · CPU 1 · process 12");
  }

  @Test
  void creationCostShowsItsBarsAndThenTheRoundTripCdfWhenTheEvidenceHoldsIt() {
    assertThat(HtmlReport.render(List.of(CREATION))).doesNotContain("chart-creation-cost-rtt");
    CreationCostEvidence evidence = creationCost(Map.of("process ⇄ process round trip (uds)",
        new CreationCostEvidence.Cdf(List.of(1.0, 50.0, 100.0), List.of(11.2, 15.3, 812.0))));
    String html = HtmlReport.render(List.of(result("creation-cost", evidence, Verdict.notApplicable("x"))));
    assertThat(html).contains("id=\"chart-creation-cost\"", "id=\"chart-creation-cost-rtt\"",
        "process ⇄ process round trip (uds), p50 15.3 µs, max 812 µs");
    assertThat(html.indexOf("id=\"chart-creation-cost\"")).isLessThan(html.indexOf("chart-creation-cost-rtt"));
  }

  @Test
  void thePageLoadsNothingFromAnywhere() {
    String html = HtmlReport.render(List.of(CREATION, PARALLEL, BROKEN));
    assertThat(html.toLowerCase(java.util.Locale.ROOT)).doesNotContain("http", "src=", "<script src", "@import",
        "url(", "<link");
  }
}
