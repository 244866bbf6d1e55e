package dev.ipclab.cli.conform;

import java.util.List;

/**
 * The outcome of one {@code ipclab conform} run: the command judged, over which transport, and one result per
 * check in {@link ConformCheck} order.
 *
 * @param workerLog the last lines the worker wrote to stderr in the first session, for a reader of a FAIL
 */
public record ConformReport(List<String> command, String transport, List<CheckResult> results, long millis,
    List<String> workerLog) {

  /** True when no check failed: every check passed or was skipped for a reason it states. */
  public boolean passed() {
    return results.stream().noneMatch(r -> r.verdict() == CheckResult.Verdict.FAIL);
  }

  public long count(CheckResult.Verdict verdict) {
    return results.stream().filter(r -> r.verdict() == verdict).count();
  }

  /** The result of {@code check}; every report has one per check. */
  public CheckResult result(ConformCheck check) {
    return results.stream().filter(r -> r.check() == check).findFirst().orElseThrow();
  }
}
