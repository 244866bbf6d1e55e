package dev.ipclab.demos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipclab.demos.evidence.AddressSpaceEvidence;
import dev.ipclab.demos.evidence.DemoEvidence;
import dev.ipclab.demos.evidence.ThreadsShareEvidence;
import java.util.List;
import org.junit.jupiter.api.Test;

class DemoResultTest {
  private static final Demo DEMO = new Demo() {
    @Override
    public String name() {
      return "example";
    }

    @Override
    public String claim() {
      return "Two is more than one.";
    }

    @Override
    public DemoResult run(DemoContext context) {
      throw new UnsupportedOperationException();
    }
  };

  private static final AddressSpaceEvidence EVIDENCE = new AddressSpaceEvidence(List.of(7L, 0L, 0L),
      List.of(7L, 7L, 7L), List.of(7L, 9L, 7L), new AddressSpaceEvidence.FixedAddress(0x7e1500000000L,
      "0x7e1500000000", 2, List.of(41L, 42L), List.of("0x7e1600000000: [EEXIST]")), null);

  @Test
  void checksCompareWithTheirTolerance() {
    assertThat(Check.atLeast("x", 2, 1.5, "×").passed()).isTrue();
    assertThat(Check.atLeast("x", 1.4, 1.5, "×").passed()).isFalse();
    assertThat(Check.atMost("x", 3, 2, "ms").passed()).isFalse();
    assertThat(Check.between("x", 1.0, 0.6, 1.4, "×")).extracting(Check::expected, Check::measured, Check::passed)
        .containsExactly("0.60 … 1.40 ×", "1 ×", true);
    assertThat(Check.equal("n", 3L, 3L).passed()).isTrue();
    assertThat(Check.equal("n", 3L, 3).passed()).as("a long is not an int").isFalse();
  }

  @Test
  void aVerdictHoldsOnlyIfEveryCheckPasses() {
    assertThat(Verdict.of(List.of(Check.that("a", true, "", ""))).holds()).isTrue();
    assertThat(Verdict.of(List.of(Check.that("a", true, "", ""), Check.that("b", false, "", ""))).outcome())
        .isEqualTo(Verdict.Outcome.FAILS);
    assertThat(Verdict.notApplicable("one CPU").holds()).isNull();
    assertThatThrownBy(() -> Verdict.of(List.of())).hasMessageContaining("at least one check");
  }

  @Test
  void tablesAlignNumbersRightAndRejectRaggedRows() {
    String text = Table.of("t", "what", "time (ms)").row("short", 1.5).row("a longer name", 123.0).build().render();
    assertThat(text).contains("what           time (ms)", "short               1.50", "a longer name        123");
    assertThatThrownBy(() -> Table.of("t", "a", "b").row(1).build()).hasMessageContaining("2 columns");
  }

  @Test
  void textAndJsonCarryTheSameRecord() throws Exception {
    DemoResult result = DemoResult.builder(DEMO)
        .prediction("2 > 1")
        .transport("pipe")
        .table(Table.of("numbers", "n (count)").row(2L).build())
        .evidence(EVIDENCE)
        .pid("worker-1", 42)
        .command("echo 2", "prints two")
        .build(Verdict.of(List.of(Check.atLeast("two", 2, 1, ""))));

    String text = DemoText.render(result, false);
    assertThat(text).containsSubsequence("Claim:", "Two is more than one.", "Prediction:", "2 > 1", "Measured:",
        "numbers", "Verdict:", "✔ the claim holds", "Check it yourself (with --keep): prints two", "$ echo 2");
    // Kept up, the processes are listed, each command with its comment.
    assertThat(DemoText.render(result, true)).containsSubsequence("Check it yourself (the processes are still up)",
        "worker-1 42", "$ echo 2    # prints two");

    JsonNode json = new ObjectMapper().readTree(DemoJson.write(result));
    assertThat(json.get("demo").asText()).isEqualTo("example");
    assertThat(json.get("holds").asBoolean()).isTrue();
    assertThat(json.get("evidence").get("fixed").get("values")).hasToString("[41,42]");
    assertThat(json.get("pids").get("worker-1").asLong()).isEqualTo(42);
    assertThat(json.get("pids").get("parent").asLong()).isEqualTo(ProcessHandle.current().pid());
    assertThat(json.get("tables").get(0).get("rows").get(0).get("n (count)").asLong()).isEqualTo(2);
    assertThat(json.get("verdict").get("checks").get(0).get("expected").asText()).isEqualTo("≥ 1");

    JsonNode array = new ObjectMapper().readTree(DemoJson.write(List.of(result, result)));
    assertThat(array.isArray()).isTrue();
    assertThat(array).hasSize(2);
  }

  @Test
  void jsonCarriesTheEvidenceRecordUnderItsComponentsSnakeCaseNames() throws Exception {
    DemoResult result = DemoResult.builder(DEMO).prediction("p").evidence(EVIDENCE)
        .build(Verdict.of(List.of(Check.that("a", true, "", "").asKey())));
    JsonNode json = new ObjectMapper().readTree(DemoJson.write(result));
    JsonNode evidence = json.get("evidence");
    assertThat(evidence.get("static_after")).hasToString("[7,9,7]");
    assertThat(evidence.get("fixed").get("address").asLong()).isEqualTo(0x7e1500000000L);
    assertThat(evidence.get("fixed").get("address_hex").asText()).isEqualTo("0x7e1500000000");
    assertThat(evidence.get("fixed").get("refusals").get(0).asText()).isEqualTo("0x7e1600000000: [EEXIST]");
    // A part that did not run is there, as null, rather than missing.
    assertThat(evidence.has("shm")).isTrue();
    assertThat(evidence.get("shm").isNull()).isTrue();
    // Only the evidence is renamed: the rest keeps the names it has.
    assertThat(json.get("verdict").get("checks").get(0).has("isKey")).isTrue();
  }

  @Test
  void typedEvidenceSaysWhatItIsWhenAskedForAnotherDemos() {
    DemoResult result = DemoResult.builder(DEMO).prediction("p").evidence(EVIDENCE)
        .build(Verdict.of(List.of(Check.that("a", true, "", ""))));
    assertThat(result.evidence(AddressSpaceEvidence.class)).isSameAs(EVIDENCE);
    assertThat(result.evidence(DemoEvidence.class)).isSameAs(EVIDENCE);
    assertThatThrownBy(() -> result.evidence(ThreadsShareEvidence.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("example's evidence is AddressSpaceEvidence, not the ThreadsShareEvidence asked for");
    DemoResult none = DemoResult.builder(DEMO).prediction("p").build(Verdict.error("the worker died"));
    assertThatThrownBy(() -> none.evidence(AddressSpaceEvidence.class)).isInstanceOf(IllegalStateException.class)
        .hasMessage("example recorded no evidence (verdict: could not be tested (the demo failed): the worker"
            + " died), so it has no AddressSpaceEvidence");
  }

  @Test
  void onlyAnErrorMayComeWithoutEvidence() {
    assertThatThrownBy(() -> DemoResult.builder(DEMO).prediction("p").build(Verdict.notApplicable("one CPU")))
        .isInstanceOf(IllegalStateException.class).hasMessage("example: a result needs its evidence, also when"
            + " the claim cannot be tested on this machine; only an error may have none");
    assertThat(DemoResult.builder(DEMO).prediction("p").build(Verdict.error("it broke")).evidence()).isNull();
  }

  @Test
  void aNotApplicableResultSaysWhyAndHasNoBooleanVerdict() throws Exception {
    DemoResult result = DemoResult.builder(DEMO).prediction("p").evidence(EVIDENCE)
        .build(Verdict.notApplicable("one CPU only"));
    assertThat(DemoText.render(result, false)).contains("the claim cannot be tested on this machine: one CPU only");
    assertThat(new ObjectMapper().readTree(DemoJson.write(result)).get("holds").isNull()).isTrue();
    assertThat(DemoText.summary(List.of(result))).contains("example", "one CPU only");
  }

  @Test
  void statsUseNearestRank() {
    double[] v = {5, 1, 4, 2, 3};
    assertThat(Stats.median(v)).isEqualTo(3);
    assertThat(Stats.percentile(v, 90)).isEqualTo(5);
    assertThat(Stats.percentile(v, 0)).isEqualTo(1);
    assertThat(Stats.median(new double[0])).isNaN();
  }
}
