package dev.ipclab.demos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.evidence.AddressSpaceEvidence;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The short and the detailed text: what each shows, and that no line is wider than a terminal's 100 columns. */
class DemoTextTest {
  private static final Demo DEMO = new Demo() {
    @Override
    public String name() {
      return "example";
    }

    @Override
    public String claim() {
      return "A claim long enough to need wrapping: " + "words ".repeat(40);
    }

    @Override
    public DemoResult run(DemoContext context) {
      throw new UnsupportedOperationException();
    }
  };

  private static DemoResult result() {
    Table wide = Table.of("a table far wider than a terminal", "what it is, at length", "first column (µs)",
            "second column with a long header (KiB/thread)", "third (bytes/thread)", "why it stopped")
        .row("a row label that goes on and on and on", 1.5, 2000L, 3.25,
            "unable to create native thread: possibly out of memory or process/resource limits reached")
        .build();
    Table detailOnly = Table.of("only with --detail", "n").row(7L).build();
    List<Check> checks = List.of(Check.atLeast("one", 2, 1, ""), Check.atLeast("two", 2, 1, ""),
        Check.atLeast("three", 2, 1, "").asKey(), Check.atLeast("four", 2, 1, ""), Check.atLeast("five", 0, 1, ""));
    return DemoResult.builder(DEMO).prediction("p ".repeat(80)).table(detailOnly).keyTable(wide)
        .shows("What it shows, with a number: 42. " + "More. ".repeat(30))
        .note("a note for --detail")
        .command("echo " + "x".repeat(70), "a comment that makes the line too long for one terminal line")
        .command("echo 2", "two").command("echo 3", "three")
        .evidence(NO_EVIDENCE)
        .build(Verdict.of(checks));
  }

  /** The text does not print the evidence; a result needs some all the same. */
  private static final AddressSpaceEvidence NO_EVIDENCE = new AddressSpaceEvidence(List.of(), List.of(), List.of(),
      new AddressSpaceEvidence.FixedAddress(null, null, 0, List.of(), List.of()), null);

  @Test
  void theShortFormHasTheKeyTableTheFailedAndFirstChecksAndWhatItShows() {
    String text = DemoText.render(result(), false);
    // The failed check first, then the one the demo marked key; the others only with --detail.
    assertThat(text).contains("a table far wider", "What this shows:", "1 of 5 checks failed", "✘ five: 0",
        "three: 2", "$ echo xxx").doesNotContain("only with --detail", "one: 2", "two: 2",
        "a note for --detail", "$ echo 2");
    assertThat(text.lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
  }

  @Test
  void aPassingVerdictTakesTwoLinesAtMostAndDropsASecondKeyCheckThatWouldNeedAThird() {
    String longName = "a key check whose name alone takes most of a terminal line of text, and more";
    DemoResult r = DemoResult.builder(DEMO).prediction("p").keyTable(Table.of("t", "n").row(1L).build())
        .evidence(NO_EVIDENCE).build(Verdict.of(List.of(Check.atLeast(longName, 2, 1, "").asKey(),
            Check.atLeast("second " + longName, 2, 1, "").asKey())));
    String text = DemoText.render(r, false);
    assertThat(text).contains("a key check whose").doesNotContain("second a key check");
    assertThat(verdictLines(text)).isEqualTo(2);

    DemoResult brief = DemoResult.builder(DEMO).prediction("p").keyTable(Table.of("t", "n").row(1L).build())
        .evidence(NO_EVIDENCE).build(Verdict.of(List.of(Check.atLeast("one", 2, 1, "").asKey(),
            Check.atLeast("two", 2, 1, "").asKey())));
    assertThat(DemoText.render(brief, false)).contains("one: 2", "two: 2");
  }

  private static long verdictLines(String text) {
    List<String> lines = text.lines().toList();
    int from = lines.indexOf(lines.stream().filter(l -> l.startsWith("Verdict:")).findFirst().orElseThrow());
    return 1 + lines.subList(from + 1, lines.size()).stream().takeWhile(l -> l.startsWith("  ")).count();
  }

  @Test
  void theDetailedFormHasEverythingWithinTheWidthToo() {
    String text = DemoText.render(result(), false, true);
    assertThat(text).contains("only with --detail", "✔ three", "✔ four", "a note for --detail", "$ echo 3",
        "unable to create native");
    assertThat(text.lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(100));
  }

  @Test
  void aWrappedTableKeepsEveryWordOfItsCells() {
    String text = result().tables().get(1).render(60);
    assertThat(text.lines()).allSatisfy(l -> assertThat(l.length()).as(l).isLessThanOrEqualTo(60));
    for (String word : List.of("unable", "native", "thread:", "limits", "reached", "header")) {
      assertThat(text).contains(word);
    }
  }
}
