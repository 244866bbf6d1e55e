package dev.ipclab.cli.conform;

import java.io.PrintWriter;
import java.util.Locale;

/** The report for people: one block per check (verdict, what was expected, what arrived), then the tally. */
public final class ConformText {
  private ConformText() {}

  public static void print(ConformReport report, PrintWriter out) {
    out.println("ipclab conform: " + String.join(" ", report.command()) + " over " + report.transport());
    out.println();
    for (CheckResult r : report.results()) {
      out.printf(Locale.ROOT, "%-8s %-18s %s%s%n", r.verdict(), r.check().id(), r.check().title(),
          r.millis() > 0 ? " (" + Waits.ms(r.millis()) + ")" : "");
      if (r.verdict() == CheckResult.Verdict.FAIL) {
        block(out, "rule:", r.check().rule());
      }
      if (!r.expected().isEmpty()) {
        block(out, "expected:", r.expected());
      }
      block(out, r.verdict() == CheckResult.Verdict.SKIPPED ? "why:" : "arrived:", r.arrived());
    }
    out.println();
    out.printf(Locale.ROOT, "%d checks: %d passed, %d failed, %d skipped, in %s. %s%n", report.results().size(),
        report.count(CheckResult.Verdict.PASS), report.count(CheckResult.Verdict.FAIL),
        report.count(CheckResult.Verdict.SKIPPED), Waits.ms(report.millis()),
        report.passed() ? "The worker keeps the contract." : "The worker breaks the contract; see each FAIL's"
            + " rule in docs/protocol.md.");
    out.flush();
  }

  private static void block(PrintWriter out, String label, String text) {
    String[] lines = text.split("\n", -1);
    out.printf(Locale.ROOT, "         %-10s%s%n", label, lines[0]);
    for (int i = 1; i < lines.length; i++) {
      out.printf(Locale.ROOT, "         %-10s| %s%n", "", lines[i]);
    }
  }
}
