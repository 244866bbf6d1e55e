package dev.ipclab.cli.conform;

import static dev.ipclab.cli.conform.Waits.ms;

import dev.ipclab.proto.v1.Hello;
import dev.ipclab.transport.TransportKind;
import dev.ipclab.transport.frame.BytePreview;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * One run of the worker contract against a command, in four sessions, each a fresh worker process:
 * <ol>
 *   <li>the contract: hello, ping, unknown task kind, many in flight, status, cancel and deadline, shutdown (and
 *       over all of it: one reply per request, heartbeats);
 *   <li>the frame cap, with a small IPCLAB_MAX_FRAME_BYTES;
 *   <li>end-of-file on stdin;
 *   <li>the parent's SIGKILL, through a stand-in parent process.
 * </ol>
 * The stdout check is judged over the first three. Every wait has a deadline; the worker processes, the socket and
 * the private directory are gone when it returns.
 */
public final class ConformRun {
  /** What to run: the worker command, the transport, and how long a hello may take (the pool's default: 10 s). */
  public record Settings(List<String> command, TransportKind transport, long handshakeTimeoutMs) {}

  private final Settings settings;
  private final Session.Timing timing;
  private final Map<ConformCheck, CheckResult> results = new EnumMap<>(ConformCheck.class);
  private final List<String> stdoutViolations = new ArrayList<>();
  private int sessionsJudged;
  private long framesSeen;
  private List<String> workerLog = List.of();

  public ConformRun(Settings settings) {
    this.settings = settings;
    this.timing = new Session.Timing(Waits.HEARTBEAT_INTERVAL_MS, Waits.HEARTBEAT_TIMEOUT_MS,
        settings.handshakeTimeoutMs());
  }

  public ConformReport run() throws IOException, InterruptedException {
    long start = System.nanoTime();
    Path dir = Files.createTempDirectory("ipclab-conform-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      boolean welcomed = contract(dir);
      if (welcomed) {
        try (Session s = session(dir, "frame-cap", LifecycleChecks.SMALL_CAP)) {
          results.put(ConformCheck.FRAME_CAP, LifecycleChecks.frameCap(s));
          s.close();
          collectStdout("frame-cap", s);
        }
        try (Session s = session(dir, "stdin-eof", WorkerSpawn.defaultMaxFrameBytes())) {
          results.put(ConformCheck.STDIN_EOF, LifecycleChecks.stdinEof(s));
          s.close();
          collectStdout("stdin-eof", s);
        }
        results.put(ConformCheck.PARENT_KILLED, LifecycleChecks.parentKilled(settings.command(),
            settings.transport(), timing, dir));
      } else {
        String why = "not judged: the worker was not welcomed (see the hello check)";
        for (ConformCheck c : List.of(ConformCheck.FRAME_CAP, ConformCheck.STDIN_EOF, ConformCheck.PARENT_KILLED)) {
          results.put(c, CheckResult.skipped(c, "", why));
        }
      }
      results.put(ConformCheck.STDOUT, stdout());
    } finally {
      deleteTree(dir);
    }
    List<CheckResult> ordered = new ArrayList<>();
    for (ConformCheck c : ConformCheck.values()) {
      ordered.add(results.getOrDefault(c, CheckResult.skipped(c, "", "not run")));
    }
    return new ConformReport(settings.command(), settings.transport().cliName(), ordered, Waits.msSince(start),
        workerLog);
  }

  private Session session(Path dir, String name, int maxFrameBytes) throws IOException {
    Path sub = Files.createDirectory(dir.resolve(name));
    return new Session(settings.command(), settings.transport(), maxFrameBytes, timing, sub,
        sub.resolve("worker.log"));
  }

  /** The first session: the handshake, then the contract. False if the worker was not welcomed. */
  private boolean contract(Path dir) throws IOException, InterruptedException {
    try (Session s = session(dir, "contract", WorkerSpawn.defaultMaxFrameBytes())) {
      long start = System.nanoTime();
      Session.Handshake h = s.handshake();
      results.put(ConformCheck.HELLO, hello(s, h, Waits.msSince(start)));
      if (!h.ok()) {
        String why = "not judged: the worker was not welcomed (see the hello check)";
        for (ConformCheck c : List.of(ConformCheck.PING, ConformCheck.UNKNOWN_TASK_KIND, ConformCheck.IN_FLIGHT,
            ConformCheck.STATUS, ConformCheck.CANCEL, ConformCheck.DEADLINE, ConformCheck.ONE_REPLY,
            ConformCheck.HEARTBEATS, ConformCheck.SHUTDOWN)) {
          results.put(c, CheckResult.skipped(c, "", why));
        }
        s.close();
        workerLog = s.logTail(12);
        collectStdout("contract", s);
        return false;
      }
      results.putAll(new ContractChecks(s, h.hello().getTaskKindsList(), h.welcomeNanos()).run());
      workerLog = s.logTail(12);
      collectStdout("contract", s);
      return true;
    }
  }

  private CheckResult hello(Session s, Session.Handshake h, long millis) {
    String expected = "a Hello within " + ms(timing.handshakeTimeoutMs()) + ": token = IPCLAB_TOKEN, pid "
        + s.process().pid() + ", worker_id " + WorkerSpawn.WORKER_ID + ", protocol_version "
        + dev.ipclab.transport.protocol.Protocol.VERSION + ", request_id 0";
    if (h.ok()) {
      Hello hello = h.hello();
      return CheckResult.pass(ConformCheck.HELLO, expected, "a Hello after " + ms(millis) + ": pid "
          + hello.getPid() + ", ppid " + hello.getPpid() + ", worker_id " + hello.getWorkerId()
          + ", the token, task kinds " + hello.getTaskKindsList(), millis);
    }
    if (h.problem().equals("OUT_OF_SYNC") && settings.transport() == TransportKind.PIPE) {
      return CheckResult.skipped(ConformCheck.HELLO, expected, "not judged: the worker's stdout was not frames ("
          + s.stream().outOfSync() + "); see the stdout check");
    }
    String problem = h.problem().equals("OUT_OF_SYNC")
        ? "bytes that are not frames: " + s.stream().outOfSync() + ": " + s.stream().outOfSyncBytes()
        : h.problem();
    List<String> tail = s.logTail(6);
    return CheckResult.fail(ConformCheck.HELLO, expected, problem + (tail.isEmpty() ? ""
        : ". Last lines of its stderr:\n" + String.join("\n", tail)), millis);
  }

  /** Adds what a finished session shows of stdout: frames only on a pipe, nothing on a socket transport. */
  private void collectStdout(String name, Session s) {
    sessionsJudged++;
    if (settings.transport() == TransportKind.PIPE) {
      FrameStream stream = s.stream();
      if (stream == null) {
        return;
      }
      framesSeen += stream.arrivals().size();
      if (stream.outOfSync() != null) {
        stdoutViolations.add("in the " + name + " session, " + stream.outOfSync() + "; the bytes: "
            + stream.outOfSyncBytes());
      }
    } else if (s.strayStdoutBytes() > 0) {
      stdoutViolations.add("in the " + name + " session, " + Waits.bytes(s.strayStdoutBytes()) + " on stdout: "
          + BytePreview.of(s.strayStdoutPreview()));
    }
  }

  private CheckResult stdout() {
    boolean pipe = settings.transport() == TransportKind.PIPE;
    String expected = pipe ? "stdout carries frames and nothing else, from the first byte to the exit"
        : "nothing on stdout: on " + settings.transport().cliName() + " the frames go over the socket";
    if (!stdoutViolations.isEmpty()) {
      return CheckResult.fail(ConformCheck.STDOUT, expected, String.join("; ", stdoutViolations)
          + ". Did the worker print to stdout? Log to stderr; " + (pipe ? "a stray byte on a pipe corrupts the"
              + " protocol." : "the pool appends stdout to the worker's log, but it would corrupt a pipe."), 0);
    }
    return CheckResult.pass(ConformCheck.STDOUT, expected, pipe
        ? framesSeen + " frames and not one byte besides, in " + sessionsJudged + " session"
            + (sessionsJudged == 1 ? "" : "s")
        : "0 bytes on stdout in " + sessionsJudged + " session" + (sessionsJudged == 1 ? "" : "s"), 0);
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a private temporary directory
    }
  }
}
