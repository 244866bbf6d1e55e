package dev.ipclab.cli.conform;

import static dev.ipclab.cli.conform.Waits.bytes;
import static dev.ipclab.cli.conform.Waits.deadline;
import static dev.ipclab.cli.conform.Waits.ms;

import com.google.protobuf.ByteString;
import dev.ipclab.cli.conform.FrameStream.Arrival;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The checks that each need a worker of their own, because they end it: the frame cap (a frame over it is a
 * protocol error), end-of-file on stdin, and the parent's SIGKILL.
 */
final class LifecycleChecks {
  /** The cap the frame-cap session gives its worker: small enough to cross cheaply, big enough for any Hello. */
  static final int SMALL_CAP = 64 * 1024;

  private LifecycleChecks() {}

  /** Ping just under the cap, answered; then a frame just over it, refused from its prefix, and the worker exits. */
  static CheckResult frameCap(Session s) throws IOException, InterruptedException {
    String expected = "with IPCLAB_MAX_FRAME_BYTES=" + SMALL_CAP + ": a Ping frame just under the cap answered;"
        + " a frame of " + bytes(SMALL_CAP + 1) + " or more refused from its length prefix with ErrorReply"
        + " ERROR_CODE_FRAME_TOO_LARGE, then exit within " + ms(Waits.EXIT_MS) + "; no frame from the worker over"
        + " the cap";
    long start = System.nanoTime();
    CheckResult early = handshakeOrBlocked(s, ConformCheck.FRAME_CAP, expected);
    if (early != null) {
      return early;
    }
    long id = s.nextId();
    ByteString under = ByteString.copyFrom(new byte[SMALL_CAP - 128]);
    s.send(ParentEnvelope.newBuilder().setRequestId(id)
        .setPing(Ping.newBuilder().setPayload(under).setParentSendNanos(System.nanoTime())).build());
    Arrival reply = s.awaitReply(id, deadline(Waits.REPLY_MS));
    CheckResult broken = brokenStream(s, ConformCheck.FRAME_CAP, expected);
    if (broken != null) {
      return broken;
    }
    if (reply == null || !reply.envelope().hasPong()) {
      return CheckResult.fail(ConformCheck.FRAME_CAP, expected, "a Ping frame of "
          + bytes(envelopeBytes(id, under)) + ", within the cap, was "
          + (reply == null ? "not answered within " + ms(Waits.REPLY_MS)
              : "answered by " + ContractChecks.describe(reply.envelope())), Waits.msSince(start));
    }
    long overId = s.nextId();
    ParentEnvelope over = ParentEnvelope.newBuilder().setRequestId(overId)
        .setPing(Ping.newBuilder().setPayload(ByteString.copyFrom(new byte[SMALL_CAP + 1]))).build();
    ByteArrayOutputStream frame = new ByteArrayOutputStream();
    over.writeDelimitedTo(frame);
    long sent = System.nanoTime();
    try {
      // The whole frame, so that a worker that reads it anyway can answer it; one that refuses it stops reading.
      s.stream().sendRaw(frame.toByteArray(), 3_000);
    } catch (IOException e) {
      // The worker closed its end after the prefix: the refusal this check looks for.
    }
    s.stream().await(a -> a.stream().anyMatch(x -> x.nanos() >= sent && (x.envelope().getRequestId() == overId
        || x.envelope().hasError())), deadline(Waits.EXIT_MS));
    Integer status = s.awaitExit(Math.max(0, Waits.EXIT_MS - Waits.msSince(sent)));
    long took = Waits.msSince(start);
    broken = brokenStream(s, ConformCheck.FRAME_CAP, expected);
    if (broken != null) {
      return broken;
    }
    List<Arrival> after = s.stream().arrivals().stream().filter(a -> a.nanos() >= sent).toList();
    Arrival answer = Session.firstReply(after, overId);
    if (answer != null) {
      return CheckResult.fail(ConformCheck.FRAME_CAP, expected, "a frame of " + bytes(over.getSerializedSize())
          + ", over the cap of " + bytes(SMALL_CAP) + ", was read and answered by "
          + ContractChecks.describe(answer.envelope()) + ": the worker must refuse it from its length prefix,"
          + " before allocating", took);
    }
    Arrival error = after.stream().filter(a -> a.envelope().hasError()).findFirst().orElse(null);
    String exit = status == null ? "still running " + ms(Waits.EXIT_MS) + " later" : "exit status " + status
        + " after " + ms(Waits.msSince(sent));
    if (error == null || error.envelope().getError().getCode() != ErrorCode.ERROR_CODE_FRAME_TOO_LARGE) {
      return CheckResult.fail(ConformCheck.FRAME_CAP, expected, "to a frame of " + bytes(over.getSerializedSize())
          + ", over the cap: " + (error == null ? "no ErrorReply" : ContractChecks.describe(error.envelope()))
          + "; " + exit, took);
    }
    if (status == null) {
      return CheckResult.fail(ConformCheck.FRAME_CAP, expected, ContractChecks.describe(error.envelope())
          + ", but " + exit + ": a worker that broke framing cannot go on", took);
    }
    return CheckResult.pass(ConformCheck.FRAME_CAP, expected, "Ping of " + bytes(envelopeBytes(id, under))
        + " answered; to one of " + bytes(over.getSerializedSize()) + ": ErrorReply "
        + error.envelope().getError().getCode() + ", then " + exit, took);
  }

  private static int envelopeBytes(long id, ByteString payload) {
    return ParentEnvelope.newBuilder().setRequestId(id)
        .setPing(Ping.newBuilder().setPayload(payload).setParentSendNanos(System.nanoTime())).build()
        .getSerializedSize();
  }

  /** Welcomes the worker of a fresh session; a result if that failed. */
  private static CheckResult handshakeOrBlocked(Session s, ConformCheck check, String expected)
      throws IOException, InterruptedException {
    Session.Handshake h = s.handshake();
    if (h.ok()) {
      return null;
    }
    CheckResult broken = brokenStream(s, check, expected);
    if (broken != null) {
      return broken;
    }
    return CheckResult.fail(check, expected, "the handshake of this check's own worker failed: " + h.problem(), 0);
  }

  /** A SKIPPED result when the pipe went out of sync under the check (the stdout check reports it), else null. */
  private static CheckResult brokenStream(Session s, ConformCheck check, String expected) {
    FrameStream stream = s.stream();
    if (stream == null || stream.outOfSync() == null) {
      return null;
    }
    if (stream.outOfSync().startsWith("a length prefix of") && check == ConformCheck.FRAME_CAP) {
      return CheckResult.fail(check, expected, "the worker sent " + stream.outOfSync() + " it was given", 0);
    }
    if (s.transport() == dev.ipclab.transport.TransportKind.PIPE) {
      return CheckResult.skipped(check, expected, "not judged: the worker's stdout stopped being frames ("
          + stream.outOfSync() + "); see the stdout check");
    }
    return CheckResult.fail(check, expected, "the socket carried bytes that are not frames: " + stream.outOfSync()
        + ": " + stream.outOfSyncBytes(), 0);
  }

  /** Welcomes a worker, lets it settle, then closes its stdin and nothing else. */
  static CheckResult stdinEof(Session s) throws IOException, InterruptedException {
    String expected = "exit within " + ms(Waits.EXIT_MS) + " of end-of-file on stdin"
        + (s.transport() == dev.ipclab.transport.TransportKind.PIPE ? " (on a pipe, the channel itself)"
            : " (the " + s.transport().cliName() + " socket stays open)") + "; status 5 (parent gone) advised";
    CheckResult early = handshakeOrBlocked(s, ConformCheck.STDIN_EOF, expected);
    if (early != null) {
      return early;
    }
    TimeUnit.MILLISECONDS.sleep(300); // serving, heartbeats flowing
    CheckResult broken = brokenStream(s, ConformCheck.STDIN_EOF, expected);
    if (broken != null) {
      return broken;
    }
    s.closeStdin();
    long closed = System.nanoTime();
    Integer status = s.awaitExit(Waits.EXIT_MS);
    long took = Waits.msSince(closed);
    if (status == null) {
      return CheckResult.fail(ConformCheck.STDIN_EOF, expected, "still running " + ms(Waits.EXIT_MS)
          + " after end-of-file on stdin (killed with SIGKILL); a worker must treat it as its parent's death", took);
    }
    return CheckResult.pass(ConformCheck.STDIN_EOF, expected, "exit status " + status + " after " + ms(took), took);
  }

  /**
   * The parent's SIGKILL, for real: a stand-in parent process ({@link ParentStandIn}) starts the worker and
   * welcomes it, then this process kills the stand-in with SIGKILL. The kernel closes every descriptor the
   * stand-in held: the worker's stdin (end-of-file), its stdout pipe, and on a socket transport the connection;
   * the worker is re-parented. It must be gone (exited, perhaps a zombie not yet reaped) within 2 s.
   */
  static CheckResult parentKilled(List<String> command, dev.ipclab.transport.TransportKind transport,
      Session.Timing timing, Path dir) throws IOException, InterruptedException {
    String expected = "exit within " + ms(Waits.EXIT_MS) + " of the parent's SIGKILL (a stand-in parent process"
        + " that started and welcomed the worker)";
    long start = System.nanoTime();
    Path standInDir = Files.createDirectory(dir.resolve("stand-in"));
    List<String> cmd = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
            .toString()),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"), ParentStandIn.class.getName(),
        transport.cliName(), Long.toString(timing.handshakeTimeoutMs()), standInDir.toString()));
    cmd.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("stand-in.log").toFile()));
    Process standIn;
    try {
      standIn = pb.start();
    } catch (IOException e) {
      return CheckResult.skipped(ConformCheck.PARENT_KILLED, expected, "could not start the stand-in parent: "
          + e.getMessage());
    }
    long workerPid = -1;
    try {
      BufferedReader lines = new BufferedReader(new InputStreamReader(standIn.getInputStream(),
          StandardCharsets.UTF_8));
      CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
        try {
          return lines.readLine();
        } catch (IOException e) {
          return null;
        }
      });
      String said;
      try {
        said = line.get(timing.handshakeTimeoutMs() + 15_000, TimeUnit.MILLISECONDS);
      } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
        said = null;
      }
      if (said == null || !said.startsWith("ready ")) {
        String why = said != null && said.startsWith("failed ") ? said.substring(7)
            : "it said nothing; its log: " + String.join(" | ", tail(dir.resolve("stand-in.log"), 5));
        return CheckResult.fail(ConformCheck.PARENT_KILLED, expected, "the stand-in parent could not welcome the"
            + " worker: " + why, Waits.msSince(start));
      }
      workerPid = Long.parseLong(said.substring(6).trim());
      standIn.destroyForcibly(); // SIGKILL
      standIn.waitFor(5, TimeUnit.SECONDS);
      long killed = System.nanoTime();
      long pid = workerPid;
      while (Waits.msSince(killed) < Waits.EXIT_MS && !hasExited(pid)) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      long took = Waits.msSince(killed);
      if (!hasExited(pid)) {
        return CheckResult.fail(ConformCheck.PARENT_KILLED, expected, "worker pid " + pid + " still running "
            + ms(took) + " after its parent pid " + standIn.pid() + " was killed with SIGKILL (conform killed it);"
            + " exit on end-of-file on stdin, or when getppid() changes", Waits.msSince(start));
      }
      workerPid = -1;
      return CheckResult.pass(ConformCheck.PARENT_KILLED, expected, "worker pid " + pid + " gone " + ms(took)
          + " after its parent pid " + standIn.pid() + " was killed with SIGKILL", Waits.msSince(start));
    } finally {
      if (standIn.isAlive()) {
        Session.kill(standIn);
      }
      if (workerPid > 0) {
        ProcessHandle.of(workerPid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** Whether {@code pid} has exited: gone from /proc, or a zombie its new parent has not reaped yet. */
  static boolean hasExited(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  private static List<String> tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return all.subList(Math.max(0, all.size() - lines), all.size());
    } catch (IOException | java.io.UncheckedIOException e) {
      return List.of();
    }
  }
}
