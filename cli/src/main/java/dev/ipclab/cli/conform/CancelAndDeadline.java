package dev.ipclab.cli.conform;

import static dev.ipclab.cli.conform.ContractChecks.SLEEP;
import static dev.ipclab.cli.conform.Waits.ms;

import com.google.protobuf.ByteString;
import dev.ipclab.cli.conform.FrameStream.Arrival;
import dev.ipclab.proto.v1.CancelTask;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Task;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cancel and deadline checks, run side by side: a long task cancelled, another left to overrun its deadline,
 * each to be answered once with its error soon after, and a cancel for an id never sent to be ignored.
 */
final class CancelAndDeadline {
  static final long LONG_TASK_MS = 2_000;
  static final long CANCEL_AFTER_MS = 200;
  static final long TASK_DEADLINE_MS = 300;
  /** How soon after its CancelTask, or its deadline, a task must be answered. */
  static final long DROP_ANSWER_MS = 1_500;

  private final Session session;

  CancelAndDeadline(Session session) {
    this.session = session;
  }

  static String expectedCancel() {
    return "a " + SLEEP + " Task of " + ms(LONG_TASK_MS) + ", cancelled after " + ms(CANCEL_AFTER_MS)
        + ": one ErrorReply ERROR_CODE_CANCELLED within " + ms(DROP_ANSWER_MS) + " of the CancelTask and nothing"
        + " more for it; a CancelTask for an id never sent: no reply";
  }

  static String expectedDeadline() {
    return "a " + SLEEP + " Task of " + ms(LONG_TASK_MS) + " with deadline_ms " + TASK_DEADLINE_MS
        + ": one ErrorReply ERROR_CODE_DEADLINE_EXCEEDED between " + ms(TASK_DEADLINE_MS) + " and "
        + ms(TASK_DEADLINE_MS + DROP_ANSWER_MS) + " after it was sent, and nothing more for it";
  }

  /** Both at once: two long tasks, one cancelled, one left to overrun its deadline; then nothing more for either. */
  Map<ConformCheck, CheckResult> run() throws IOException, InterruptedException {
    Map<ConformCheck, CheckResult> results = new LinkedHashMap<>();
    long start = System.nanoTime();
    ByteString millis = ByteString.copyFrom(Long.toString(LONG_TASK_MS), StandardCharsets.US_ASCII);
    long cancelled = session.nextId();
    long overdue = session.nextId();
    long neverSent = session.nextId(); // reserved, never used for a request: its cancel must find nothing
    session.sendAll(List.of(
        ParentEnvelope.newBuilder().setRequestId(cancelled)
            .setTask(Task.newBuilder().setKind(SLEEP).setPayload(millis).setAttempt(1)).build(),
        ParentEnvelope.newBuilder().setRequestId(overdue)
            .setTask(Task.newBuilder().setKind(SLEEP).setPayload(millis).setAttempt(1)
                .setDeadlineMs((int) TASK_DEADLINE_MS)).build()));
    long sentNanos = System.nanoTime();
    Waits.sleepUntil(sentNanos + CANCEL_AFTER_MS * 1_000_000);
    session.stream().send(ParentEnvelope.newBuilder()
        .setCancel(CancelTask.newBuilder().setTaskRequestId(cancelled).setReason("ipclab conform: the cancel check"))
        .build(), 2_000);
    long cancelNanos = System.nanoTime();
    session.stream().send(ParentEnvelope.newBuilder()
        .setCancel(CancelTask.newBuilder().setTaskRequestId(neverSent)
            .setReason("ipclab conform: a cancel for an id never sent")).build(), 2_000);
    // Past the tasks' natural end, so that a late result, a second answer, shows.
    long quietUntil = sentNanos + (LONG_TASK_MS + 600) * 1_000_000;
    session.stream().await(a -> false, quietUntil);
    Waits.sleepUntil(quietUntil);
    List<Arrival> arrivals = session.stream().arrivals();

    List<Arrival> forCancelled = Session.replies(arrivals, cancelled);
    List<Arrival> forNeverSent = Session.replies(arrivals, neverSent);
    results.put(ConformCheck.CANCEL, judgeDrop(ConformCheck.CANCEL, expectedCancel(), forCancelled, cancelNanos,
        "CancelTask", ErrorCode.ERROR_CODE_CANCELLED, forNeverSent, neverSent, start));
    results.put(ConformCheck.DEADLINE, judgeDrop(ConformCheck.DEADLINE, expectedDeadline(),
        Session.replies(arrivals, overdue), sentNanos + TASK_DEADLINE_MS * 1_000_000, "deadline",
        ErrorCode.ERROR_CODE_DEADLINE_EXCEEDED, List.of(), 0, start));
    return results;
  }

  private static CheckResult judgeDrop(ConformCheck check, String expected, List<Arrival> replies, long fromNanos,
      String trigger, ErrorCode code, List<Arrival> strays, long strayId, long start) {
    long took = Waits.msSince(start);
    if (!strays.isEmpty()) {
      return CheckResult.fail(check, expected, "the CancelTask for id " + strayId + ", never sent, was answered by "
          + ContractChecks.describe(strays.get(0).envelope()) + "; a cancel of an id not in flight must be ignored", took);
    }
    if (replies.isEmpty()) {
      return CheckResult.fail(check, expected, "no reply at all for the task, " + ms(LONG_TASK_MS + 600)
          + " after it was sent", took);
    }
    Arrival first = replies.get(0);
    long after = Waits.ms(fromNanos, first.nanos());
    String when = ms(Math.abs(after)) + (after < 0 ? " before" : " after") + " the " + trigger;
    if (after < -10 || after > DROP_ANSWER_MS
        || !first.envelope().hasError() || first.envelope().getError().getCode() != code) {
      String what = first.envelope().hasTaskResult() && after > DROP_ANSWER_MS
          ? "the task ran to its end: its TaskResult came " + when + ", so the " + trigger + " was ignored"
          : ContractChecks.describe(first.envelope()) + " " + when;
      return CheckResult.fail(check, expected, what, took);
    }
    if (replies.size() > 1) {
      List<String> all = replies.stream().map(a -> ContractChecks.describe(a.envelope()) + " at " + ms(Waits.ms(fromNanos,
          a.nanos()))).toList();
      return CheckResult.fail(check, expected, "answered " + replies.size() + " times: " + String.join(", ", all),
          took);
    }
    return CheckResult.pass(check, expected, ContractChecks.describe(first.envelope()) + ", " + when + "; nothing more up to "
        + ms(LONG_TASK_MS + 600) + (strayId != 0 ? "; the CancelTask for id " + strayId + " was ignored" : ""),
        took);
  }
}
