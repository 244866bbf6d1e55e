package dev.ipclab.cli.conform;

import static dev.ipclab.cli.conform.Waits.ms;

import dev.ipclab.cli.conform.FrameStream.Arrival;
import dev.ipclab.proto.v1.ParentEnvelope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks judged over everything a session saw, once the worker has exited: one reply per request, and the
 * heartbeats between the Welcome and the Shutdown.
 */
final class SessionWideChecks {
  private SessionWideChecks() {}

  static CheckResult oneReply(Session session) {
    String expected = "at most one reply per request_id sent, and none for an id never sent (a missing reply"
        + " fails the check that sent the request)";
    FrameStream stream = session.stream();
    if (stream.outOfSync() != null && session.transport() == dev.ipclab.transport.TransportKind.PIPE) {
      return CheckResult.skipped(ConformCheck.ONE_REPLY, expected, "not judged: the worker's stdout stopped"
          + " being frames (" + stream.outOfSync() + "); see the stdout check");
    }
    Map<Long, ParentEnvelope.KindCase> sent = session.sent();
    Map<Long, List<String>> byId = new LinkedHashMap<>();
    for (Arrival a : stream.arrivals()) {
      long id = a.envelope().getRequestId();
      if (id == 0) {
        continue; // hello, heartbeats, and errors about the channel itself
      }
      byId.computeIfAbsent(id, k -> new ArrayList<>()).add(ContractChecks.describe(a.envelope()));
    }
    List<String> wrong = new ArrayList<>();
    int replies = 0;
    for (Map.Entry<Long, List<String>> e : byId.entrySet()) {
      replies += e.getValue().size();
      if (!sent.containsKey(e.getKey())) {
        wrong.add(e.getValue().get(0) + " names request " + e.getKey() + ", which was never sent");
      } else if (e.getValue().size() > 1) {
        wrong.add(sent.get(e.getKey()) + " request " + e.getKey() + " answered " + e.getValue().size() + " times: "
            + String.join(", ", e.getValue()));
      }
    }
    long requests = sent.keySet().stream().filter(id -> id != 0).count();
    if (!wrong.isEmpty()) {
      return CheckResult.fail(ConformCheck.ONE_REPLY, expected, wrong.size() + " violation"
          + (wrong.size() == 1 ? "" : "s") + ": " + String.join("; ", wrong.subList(0, Math.min(4, wrong.size())))
          + (wrong.size() > 4 ? "; ..." : ""), 0);
    }
    return CheckResult.pass(ConformCheck.ONE_REPLY, expected, requests + " requests, " + replies
        + " replies, none twice, none for an id never sent", 0);
  }

  static CheckResult heartbeats(Session session, long welcomeNanos, long shutdownSentNanos) {
    long interval = session.timing().heartbeatIntervalMs();
    long timeout = session.timing().heartbeatTimeoutMs();
    String expected = "a Heartbeat every " + ms(interval) + " (the Welcome's heartbeat_interval_ms), request_id 0,"
        + " sequence 1, 2, 3...; never silent longer than the heartbeat_timeout_ms of " + ms(timeout);
    FrameStream stream = session.stream();
    long end = shutdownSentNanos != 0 ? shutdownSentNanos : System.nanoTime();
    List<Arrival> beats = stream.arrivals().stream()
        .filter(a -> a.envelope().hasHeartbeat() && a.nanos() <= end)
        .toList();
    long observed = Waits.ms(welcomeNanos, end);
    if (beats.isEmpty()) {
      if (stream.outOfSync() != null && session.transport() == dev.ipclab.transport.TransportKind.PIPE) {
        return CheckResult.skipped(ConformCheck.HEARTBEATS, expected, "not judged: the worker's stdout stopped"
            + " being frames (" + stream.outOfSync() + "); see the stdout check");
      }
      return CheckResult.fail(ConformCheck.HEARTBEATS, expected, "no Heartbeat in the " + ms(observed)
          + " from the Welcome to the Shutdown; the pool declares a silent worker hung after " + ms(timeout), 0);
    }
    long longest = 0;
    String where = "";
    long previous = welcomeNanos;
    String previousName = "the Welcome";
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < beats.size(); i++) {
      Arrival b = beats.get(i);
      long gap = Waits.ms(previous, b.nanos());
      if (gap > longest) {
        longest = gap;
        where = "between " + previousName + " and heartbeat " + (i + 1);
      }
      if (b.envelope().getRequestId() != 0) {
        wrong.add("heartbeat " + (i + 1) + " carries request_id " + b.envelope().getRequestId());
      }
      if (b.envelope().getHeartbeat().getSequence() != i + 1) {
        wrong.add("heartbeat " + (i + 1) + " carries sequence " + b.envelope().getHeartbeat().getSequence());
      }
      previous = b.nanos();
      previousName = "heartbeat " + (i + 1);
    }
    boolean cutShort = stream.outOfSync() != null || (stream.ended() && shutdownSentNanos == 0);
    long tailGap = Waits.ms(previous, end);
    if (!cutShort && tailGap > longest) {
      longest = tailGap;
      where = "between " + previousName + " and the Shutdown";
    }
    String summary = beats.size() + " heartbeats in " + ms(observed) + ", the longest silence " + ms(longest) + " ("
        + where + ")";
    if (longest > timeout) {
      return CheckResult.fail(ConformCheck.HEARTBEATS, expected, summary + ", over the timeout of " + ms(timeout)
          + ": the pool would declare this worker hung", 0);
    }
    if (!wrong.isEmpty()) {
      return CheckResult.fail(ConformCheck.HEARTBEATS, expected, summary + "; but "
          + String.join("; ", wrong.subList(0, Math.min(3, wrong.size()))), 0);
    }
    return CheckResult.pass(ConformCheck.HEARTBEATS, expected, summary, 0);
  }
}
