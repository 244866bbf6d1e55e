package dev.ipclab.demos;

import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Prints a {@link DemoResult} for people: claim, prediction, measurements, verdict, then how to check it. */
public final class DemoText {
  private DemoText() {}

  /** @param kept whether the processes are still up, so the commands can be run now */
  public static String render(DemoResult r, boolean kept) {
    StringBuilder out = new StringBuilder();
    String head = "━━ " + r.demo() + " " + (r.transport() != null ? "(" + r.transport() + ") " : "");
    out.append(head).append("━".repeat(Math.max(3, 78 - head.length()))).append('\n');
    out.append("Claim:       ").append(r.claim()).append('\n');
    out.append("Prediction:  ").append(r.prediction()).append('\n');
    out.append('\n').append("Measured:").append('\n');
    for (Table t : r.tables()) {
      out.append("  ").append(t.title()).append('\n');
      out.append(t.render()).append('\n');
    }
    Verdict v = r.verdict();
    out.append("Verdict:     ").append(v.outcome() == Verdict.Outcome.HOLDS ? "✔ " : v.outcome()
        == Verdict.Outcome.FAILS ? "✘ " : "– ").append("the claim ").append(v.outcome().words());
    out.append(v.reason() != null ? ": " + v.reason() : v.outcome() == Verdict.Outcome.HOLDS
        ? " (every check passed)" : " (see the failed checks)").append('\n');
    for (Check c : v.checks()) {
      out.append("  ").append(c.passed() ? "✔" : "✘").append(' ').append(c.name()).append(": expected ")
          .append(c.expected()).append(", measured ").append(c.measured()).append('\n');
    }
    if (!r.notes().isEmpty()) {
      out.append('\n');
      for (String note : r.notes()) {
        out.append("Note: ").append(note).append('\n');
      }
    }
    out.append('\n').append("Check it yourself").append(kept ? " (the processes are still up):"
        : " (add --keep to keep the processes up while you do):").append('\n');
    out.append("  processes: ").append(pids(r.pids())).append('\n');
    for (String command : r.checkYourself()) {
      out.append("  $ ").append(command).append('\n');
    }
    out.append("  (").append(r.elapsedMillis()).append(" ms)").append('\n');
    return out.toString();
  }

  static String pids(Map<String, Long> pids) {
    StringJoiner all = new StringJoiner(", ");
    pids.forEach((role, pid) -> all.add(role + " " + pid));
    return all.toString();
  }

  /** One line per demo: name, verdict, time, and the first failed check or the reason. */
  public static String summary(List<DemoResult> results) {
    Table.Builder table = Table.of("Summary", "demo", "verdict", "time (s)", "detail");
    for (DemoResult r : results) {
      Verdict v = r.verdict();
      String detail = v.reason() != null ? v.reason()
          : v.checks().stream().filter(c -> !c.passed()).findFirst()
              .map(c -> "failed: " + c.name() + " (measured " + c.measured() + ", expected " + c.expected() + ")")
              .orElse(v.checks().size() + " checks passed");
      table.row(r.demo(), v.outcome().words(), r.elapsedMillis() / 1000.0, detail);
    }
    return table.build().render();
  }
}
