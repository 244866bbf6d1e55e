package dev.ipclab.cli.conform;

import static dev.ipclab.cli.conform.Waits.REPLY_MS;
import static dev.ipclab.cli.conform.Waits.bytes;
import static dev.ipclab.cli.conform.Waits.deadline;
import static dev.ipclab.cli.conform.Waits.ms;

import com.google.protobuf.ByteString;
import dev.ipclab.cli.conform.FrameStream.Arrival;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Shutdown;
import dev.ipclab.proto.v1.StatusRequest;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.proto.v1.WorkerStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The checks of one long session with a welcomed worker, in order: ping, unknown task kind, many in flight, status,
 * cancel and deadline (side by side), shutdown; then, over everything the session saw, one reply per request and
 * the heartbeats.
 */
final class ContractChecks {
  /** The task kind conform runs long tasks with: its payload is a number of milliseconds in ASCII. */
  static final String SLEEP = "sleep";
  /** The task kind whose result is its payload, used among the requests in flight when the worker has it. */
  static final String ECHO = "echo";
  static final int IN_FLIGHT = 96;

  private final Session session;
  private final Set<String> kinds;
  private final Map<ConformCheck, CheckResult> results = new LinkedHashMap<>();
  private final long welcomeNanos;
  private long shutdownSentNanos;

  ContractChecks(Session session, List<String> kinds, long welcomeNanos) {
    this.session = session;
    this.kinds = Set.copyOf(kinds);
    this.welcomeNanos = welcomeNanos;
  }

  /** Runs every check of the session; the results, by check. */
  Map<ConformCheck, CheckResult> run() throws IOException, InterruptedException {
    run(ConformCheck.PING, this::ping);
    run(ConformCheck.UNKNOWN_TASK_KIND, this::unknownTaskKind);
    run(ConformCheck.IN_FLIGHT, this::inFlight);
    run(ConformCheck.STATUS, this::status);
    if (!kinds.contains(SLEEP)) {
      String why = "the worker's Hello lists no '" + SLEEP + "' task kind (payload: milliseconds in ASCII), the"
          + " long task this check cancels or lets overrun";
      results.put(ConformCheck.CANCEL, CheckResult.skipped(ConformCheck.CANCEL, CancelAndDeadline.expectedCancel(),
          why));
      results.put(ConformCheck.DEADLINE, CheckResult.skipped(ConformCheck.DEADLINE,
          CancelAndDeadline.expectedDeadline(), why));
    } else if (blocked(ConformCheck.CANCEL, CancelAndDeadline.expectedCancel()) == null) {
      results.putAll(new CancelAndDeadline(session).run());
      for (ConformCheck c : List.of(ConformCheck.CANCEL, ConformCheck.DEADLINE)) {
        // A drop that waited in vain because the stream broke under it was not judged: say what broke it.
        CheckResult instead = results.get(c).verdict() == CheckResult.Verdict.FAIL
            ? blocked(c, results.get(c).expected()) : null;
        if (instead != null) {
          results.put(c, instead);
        }
      }
    } else {
      results.put(ConformCheck.CANCEL, blocked(ConformCheck.CANCEL, CancelAndDeadline.expectedCancel()));
      results.put(ConformCheck.DEADLINE, blocked(ConformCheck.DEADLINE, CancelAndDeadline.expectedDeadline()));
    }
    run(ConformCheck.SHUTDOWN, this::shutdown);
    // The worker has exited (or been killed): everything it wrote is in.
    session.close();
    results.put(ConformCheck.ONE_REPLY, SessionWideChecks.oneReply(session));
    results.put(ConformCheck.HEARTBEATS, SessionWideChecks.heartbeats(session, welcomeNanos, shutdownSentNanos));
    return results;
  }

  private interface Check {
    CheckResult run(long startNanos) throws IOException, InterruptedException;
  }

  private void run(ConformCheck check, Check body) throws IOException, InterruptedException {
    CheckResult blocked = blocked(check, "");
    if (blocked != null) {
      results.put(check, blocked);
      return;
    }
    CheckResult r = body.run(System.nanoTime());
    if (r.verdict() == CheckResult.Verdict.FAIL) {
      // A check that waited in vain because the stream broke under it was not judged: say what broke it.
      CheckResult instead = blocked(check, r.expected());
      if (instead != null) {
        r = instead;
      }
    }
    results.put(check, r);
  }

  /**
   * Why {@code check} cannot be judged now, or null: the stream went out of sync (a stray byte on a pipe) or the
   * worker is gone.
   */
  CheckResult blocked(ConformCheck check, String expected) {
    FrameStream stream = session.stream();
    if (stream.outOfSync() != null) {
      if (session.transport() == dev.ipclab.transport.TransportKind.PIPE) {
        return CheckResult.skipped(check, expected, "not judged: the worker's stdout stopped being frames ("
            + stream.outOfSync() + "); see the stdout check");
      }
      return CheckResult.fail(check, expected, "the socket carried bytes that are not frames: "
          + stream.outOfSync() + ": " + stream.outOfSyncBytes(), 0);
    }
    if (stream.ended() || !session.process().isAlive()) {
      for (CheckResult earlier : results.values()) {
        if (earlier.arrived().startsWith("the channel closed")) {
          return CheckResult.skipped(check, expected, "not judged: the worker was gone after the "
              + earlier.check().id() + " check");
        }
      }
      Integer status = exitStatus();
      return CheckResult.fail(check, expected, "the channel closed: the worker "
          + (status != null ? "exited with status " + status : "closed it") + " before this check could finish"
          + tail(), 0);
    }
    return null;
  }

  private Integer exitStatus() {
    try {
      return session.awaitExit(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private String tail() {
    List<String> lines = session.logTail(5);
    return lines.isEmpty() ? "" : ". Last lines of its stderr:\n" + String.join("\n", lines);
  }

  private CheckResult ping(long start) throws IOException, InterruptedException {
    byte[] big = new byte[64 * 1024];
    new Random(7).nextBytes(big);
    List<ByteString> payloads = List.of(ByteString.EMPTY, ByteString.copyFromUtf8("ipclab conform"),
        ByteString.copyFrom(big));
    String expected = "3 Pongs, for Pings of 0, 14 and 65,536 bytes, each with its Ping's request_id, payload and"
        + " parent_send_nanos";
    List<String> trips = new ArrayList<>();
    for (ByteString payload : payloads) {
      long id = session.nextId();
      long sendNanos = System.nanoTime();
      session.send(ParentEnvelope.newBuilder().setRequestId(id)
          .setPing(Ping.newBuilder().setPayload(payload).setParentSendNanos(sendNanos)).build());
      Arrival reply = session.awaitReply(id, deadline(REPLY_MS));
      if (reply == null) {
        return CheckResult.fail(ConformCheck.PING, expected, "no reply to Ping " + id + " (" + bytes(payload.size())
            + ") within " + ms(REPLY_MS), Waits.msSince(start));
      }
      WorkerEnvelope e = reply.envelope();
      if (!e.hasPong()) {
        return CheckResult.fail(ConformCheck.PING, expected, "Ping " + id + " was answered by " + describe(e),
            Waits.msSince(start));
      }
      if (!e.getPong().getPayload().equals(payload)) {
        return CheckResult.fail(ConformCheck.PING, expected, "the Pong to Ping " + id + " carries a payload of "
            + bytes(e.getPong().getPayload().size()) + " that differs from the Ping's " + bytes(payload.size())
            + firstDifference(payload, e.getPong().getPayload()), Waits.msSince(start));
      }
      if (e.getPong().getParentSendNanos() != sendNanos) {
        return CheckResult.fail(ConformCheck.PING, expected, "the Pong to Ping " + id + " carries parent_send_nanos "
            + e.getPong().getParentSendNanos() + ", the Ping had " + sendNanos, Waits.msSince(start));
      }
      trips.add(String.format(java.util.Locale.ROOT, "%.2f ms", (reply.nanos() - sendNanos) / 1e6));
    }
    return CheckResult.pass(ConformCheck.PING, expected, "3 matching Pongs; round trips " + String.join(", ", trips),
        Waits.msSince(start));
  }

  private static String firstDifference(ByteString a, ByteString b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      if (a.byteAt(i) != b.byteAt(i)) {
        return ", first at byte " + i;
      }
    }
    return "";
  }

  /** A reply for people: {@code ErrorReply ERROR_CODE_INTERNAL ("...")} or {@code TASK_RESULT}. */
  static String describe(WorkerEnvelope e) {
    if (e.hasError()) {
      String m = e.getError().getMessage();
      return "ErrorReply " + e.getError().getCode() + " (\"" + (m.length() > 160 ? m.substring(0, 160) + "..." : m)
          + "\")";
    }
    return e.getKindCase().toString();
  }

  private CheckResult unknownTaskKind(long start) throws IOException, InterruptedException {
    String kind = "ipclab.conform.no-such-kind";
    while (kinds.contains(kind)) {
      kind += "-really";
    }
    String expected = "ErrorReply ERROR_CODE_UNKNOWN_TASK_KIND to a Task of kind '" + kind + "'";
    long id = session.nextId();
    session.send(ParentEnvelope.newBuilder().setRequestId(id)
        .setTask(Task.newBuilder().setKind(kind).setPayload(ByteString.copyFromUtf8("?")).setAttempt(1)).build());
    Arrival reply = session.awaitReply(id, deadline(REPLY_MS));
    if (reply == null) {
      return CheckResult.fail(ConformCheck.UNKNOWN_TASK_KIND, expected, "no reply to Task " + id + " within "
          + ms(REPLY_MS), Waits.msSince(start));
    }
    WorkerEnvelope e = reply.envelope();
    if (!e.hasError() || e.getError().getCode() != ErrorCode.ERROR_CODE_UNKNOWN_TASK_KIND) {
      return CheckResult.fail(ConformCheck.UNKNOWN_TASK_KIND, expected, "Task " + id + " was answered by "
          + describe(e), Waits.msSince(start));
    }
    return CheckResult.pass(ConformCheck.UNKNOWN_TASK_KIND, expected, describe(e), Waits.msSince(start));
  }

  private CheckResult inFlight(long start) throws IOException, InterruptedException {
    boolean echo = kinds.contains(ECHO);
    boolean sleep = kinds.contains(SLEEP);
    String expected = IN_FLIGHT + " requests written at once (Pings" + (echo ? ", " + ECHO + " Tasks" : "")
        + (sleep ? ", " + SLEEP + " Tasks of 0 to 49 ms" : "") + "), each answered by the reply its request_id"
        + " names, within " + ms(10_000);
    Map<Long, ParentEnvelope> requests = new LinkedHashMap<>();
    for (int i = 0; i < IN_FLIGHT; i++) {
      long id = session.nextId();
      ByteString payload = ByteString.copyFromUtf8("in-flight " + id);
      ParentEnvelope.Builder b = ParentEnvelope.newBuilder().setRequestId(id);
      if (i % 3 == 1 && echo) {
        b.setTask(Task.newBuilder().setKind(ECHO).setPayload(payload).setAttempt(1));
      } else if (i % 3 == 2 && sleep) {
        b.setTask(Task.newBuilder().setKind(SLEEP).setAttempt(1)
            .setPayload(ByteString.copyFrom(Long.toString((i * 7L) % 50), StandardCharsets.US_ASCII)));
      } else {
        b.setPing(Ping.newBuilder().setPayload(payload).setParentSendNanos(System.nanoTime()));
      }
      requests.put(id, b.build());
    }
    session.sendAll(List.copyOf(requests.values()));
    long sent = System.nanoTime();
    session.stream().await(a -> requests.keySet().stream().allMatch(id -> Session.firstReply(a, id) != null),
        deadline(10_000));
    List<Arrival> arrivals = session.stream().arrivals();
    List<String> wrong = new ArrayList<>();
    List<Long> order = new ArrayList<>();
    long last = sent;
    for (Map.Entry<Long, ParentEnvelope> r : requests.entrySet()) {
      Arrival a = Session.firstReply(arrivals, r.getKey());
      if (a == null) {
        wrong.add("request " + r.getKey() + " (" + r.getValue().getKindCase() + ") unanswered");
        continue;
      }
      last = Math.max(last, a.nanos());
      String problem = mismatch(r.getValue(), a.envelope());
      if (problem != null) {
        wrong.add("request " + r.getKey() + " (" + r.getValue().getKindCase() + "): " + problem);
      }
    }
    for (Arrival a : arrivals) {
      if (requests.containsKey(a.envelope().getRequestId()) && !order.contains(a.envelope().getRequestId())) {
        order.add(a.envelope().getRequestId());
      }
    }
    if (!wrong.isEmpty()) {
      return CheckResult.fail(ConformCheck.IN_FLIGHT, expected, wrong.size() + " of " + IN_FLIGHT
          + " not answered as their request_id says: " + String.join("; ", wrong.subList(0, Math.min(5,
              wrong.size()))) + (wrong.size() > 5 ? "; ..." : ""), Waits.msSince(start));
    }
    int outOfOrder = 0;
    for (int i = 1; i < order.size(); i++) {
      if (order.get(i) < order.get(i - 1)) {
        outOfOrder++;
      }
    }
    return CheckResult.pass(ConformCheck.IN_FLIGHT, expected, IN_FLIGHT + " of " + IN_FLIGHT
        + " answered, each by its id, within " + ms(Waits.ms(sent, last)) + "; " + outOfOrder
        + " replies overtook an earlier request's", Waits.msSince(start));
  }

  /** What is wrong with {@code reply} as the answer to {@code request}, or null. */
  private static String mismatch(ParentEnvelope request, WorkerEnvelope reply) {
    if (request.hasPing()) {
      if (!reply.hasPong()) {
        return "answered by " + describe(reply);
      }
      return reply.getPong().getPayload().equals(request.getPing().getPayload()) ? null
          : "the Pong's payload is not the Ping's";
    }
    if (!reply.hasTaskResult()) {
      return "answered by " + describe(reply);
    }
    if (request.getTask().getKind().equals(ECHO)
        && !reply.getTaskResult().getPayload().equals(request.getTask().getPayload())) {
      return "the " + ECHO + " result is not its payload: \"" + reply.getTaskResult().getPayload().toStringUtf8()
          + "\" for \"" + request.getTask().getPayload().toStringUtf8() + "\"";
    }
    return null;
  }

  private CheckResult status(long start) throws IOException, InterruptedException {
    String expected = "a WorkerStatus (or an ErrorReply) with the StatusRequest's request_id";
    long id = session.nextId();
    session.send(ParentEnvelope.newBuilder().setRequestId(id)
        .setStatusRequest(StatusRequest.getDefaultInstance()).build());
    Arrival reply = session.awaitReply(id, deadline(REPLY_MS));
    if (reply == null) {
      return CheckResult.fail(ConformCheck.STATUS, expected, "no reply to StatusRequest " + id + " within "
          + ms(REPLY_MS), Waits.msSince(start));
    }
    WorkerEnvelope e = reply.envelope();
    if (e.hasWorkerStatus()) {
      WorkerStatus s = e.getWorkerStatus();
      return CheckResult.pass(ConformCheck.STATUS, expected, "WorkerStatus: " + s.getFramesReceived()
          + " frames received, " + s.getFramesSent() + " sent, " + s.getTasksStarted() + " tasks started, "
          + s.getPingsAnswered() + " pings answered", Waits.msSince(start));
    }
    if (e.hasError()) {
      return CheckResult.pass(ConformCheck.STATUS, expected, describe(e), Waits.msSince(start));
    }
    return CheckResult.fail(ConformCheck.STATUS, expected, "StatusRequest " + id + " was answered by "
        + describe(e), Waits.msSince(start));
  }

  private CheckResult shutdown(long start) throws IOException, InterruptedException {
    String expected = "a Goodbye with the Shutdown's request_id, then exit status 0, within the grace of "
        + ms(Waits.SHUTDOWN_GRACE_MS);
    long id = session.nextId();
    shutdownSentNanos = System.nanoTime();
    session.send(ParentEnvelope.newBuilder().setRequestId(id)
        .setShutdown(Shutdown.newBuilder().setReason("ipclab conform: the contract run is over")
            .setGraceMs((int) Waits.SHUTDOWN_GRACE_MS)).build());
    long grace = deadline(Waits.SHUTDOWN_GRACE_MS);
    Arrival reply = session.awaitReply(id, grace);
    Integer status = session.awaitExit(Math.max(0, (grace - System.nanoTime()) / 1_000_000));
    long exitMs = Waits.msSince(shutdownSentNanos);
    if (reply == null) {
      return CheckResult.fail(ConformCheck.SHUTDOWN, expected, "no Goodbye for Shutdown " + id
          + (status != null ? "; the worker exited with status " + status + " after " + ms(exitMs)
              : "; still running " + ms(Waits.SHUTDOWN_GRACE_MS) + " after it"), Waits.msSince(start));
    }
    if (!reply.envelope().hasGoodbye()) {
      return CheckResult.fail(ConformCheck.SHUTDOWN, expected, "Shutdown " + id + " was answered by "
          + describe(reply.envelope()), Waits.msSince(start));
    }
    String goodbye = "Goodbye (requests_served " + reply.envelope().getGoodbye().getRequestsServed() + ") after "
        + ms(Waits.ms(shutdownSentNanos, reply.nanos()));
    if (status == null) {
      return CheckResult.fail(ConformCheck.SHUTDOWN, expected, goodbye + ", but the worker was still running "
          + ms(Waits.SHUTDOWN_GRACE_MS) + " after the Shutdown", Waits.msSince(start));
    }
    if (status != 0) {
      return CheckResult.fail(ConformCheck.SHUTDOWN, expected, goodbye + ", then exit status " + status
          + " after " + ms(exitMs) + tail(), Waits.msSince(start));
    }
    return CheckResult.pass(ConformCheck.SHUTDOWN, expected, goodbye + "; exit status 0 after " + ms(exitMs),
        Waits.msSince(start));
  }
}
