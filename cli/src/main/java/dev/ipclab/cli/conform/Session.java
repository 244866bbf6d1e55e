package dev.ipclab.cli.conform;

import dev.ipclab.cli.conform.FrameStream.Arrival;
import dev.ipclab.proto.v1.Heartbeat;
import dev.ipclab.proto.v1.Hello;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Welcome;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.TransportKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One worker process and conform's conversation with it, from spawn to exit: the handshake, requests with fresh
 * ids from 1, the parent's heartbeats, and every frame and stray byte the worker wrote. Closing it leaves nothing:
 * stdin closed, the process (and its children) gone within 2 s, the socket closed and removed.
 */
final class Session implements AutoCloseable {
  /** The parent's side of the timing a Welcome announces. */
  record Timing(long heartbeatIntervalMs, long heartbeatTimeoutMs, long handshakeTimeoutMs) {}

  /** How the handshake went: the hello and when it came, or what went wrong instead. */
  record Handshake(Hello hello, long helloNanos, long welcomeNanos, String problem) {
    boolean ok() {
      return problem == null;
    }
  }

  private final List<String> command;
  private final TransportKind transport;
  private final int maxFrameBytes;
  private final Timing timing;
  private final Path log;
  private final String token = WorkerSpawn.newToken();
  private final ParentEndpoint endpoint;
  private final Process process;
  private final long spawnNanos;
  private final AtomicLong nextId = new AtomicLong();
  private final java.util.Map<Long, ParentEnvelope.KindCase> sent = new java.util.concurrent.ConcurrentHashMap<>();
  private final AtomicLong heartbeatSequence = new AtomicLong();
  private final ByteArrayOutputStream strayStdout = new ByteArrayOutputStream();
  private long strayStdoutBytes;
  private Thread stdoutDrain;
  private FrameStream stream;
  private ParentEndpoint.Channel channel;
  private ScheduledExecutorService heartbeats;
  private boolean stdinClosed;
  private boolean closed;

  /** Starts the worker; its stderr goes to {@code log}, its socket (if any) into {@code dir}. */
  Session(List<String> command, TransportKind transport, int maxFrameBytes, Timing timing, Path dir, Path log)
      throws IOException {
    this.command = command;
    this.transport = transport;
    this.maxFrameBytes = maxFrameBytes;
    this.timing = timing;
    this.log = log;
    this.endpoint = ParentEndpoint.open(transport, dir);
    try {
      this.spawnNanos = System.nanoTime();
      this.process = WorkerSpawn.start(command, transport, endpoint.connect(), maxFrameBytes, token, log);
    } catch (IOException | RuntimeException e) {
      endpoint.close();
      throw e;
    }
    if (transport != TransportKind.PIPE) {
      // On a socket transport stdout is not the protocol; whatever arrives on it is kept as evidence.
      stdoutDrain = new Thread(() -> drainStdout(process.getInputStream()), "conform-stdout");
      stdoutDrain.setDaemon(true);
      stdoutDrain.start();
    }
  }

  private void drainStdout(InputStream in) {
    byte[] buf = new byte[4096];
    try (in) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        synchronized (strayStdout) {
          strayStdoutBytes += n;
          if (strayStdout.size() < 4096) {
            strayStdout.write(buf, 0, Math.min(n, 4096 - strayStdout.size()));
          }
        }
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  /**
   * Waits for the worker's first frame and judges it as the pool's handshake gate would, token and pid included;
   * if it is a valid Hello, sends the Welcome and starts the parent's heartbeats.
   */
  Handshake handshake() throws IOException, InterruptedException {
    long deadline = spawnNanos + TimeUnit.MILLISECONDS.toNanos(timing.handshakeTimeoutMs());
    channel = endpoint.await(process, deadline);
    if (channel == null) {
      return new Handshake(null, 0, 0, process.isAlive()
          ? "no connection to " + endpoint.connect() + " within " + Waits.ms(timing.handshakeTimeoutMs())
          : "the worker exited with status " + process.exitValue() + " before it connected to "
              + endpoint.connect());
    }
    stream = new FrameStream(channel.in(), channel.out(), maxFrameBytes, "conform-" + process.pid());
    boolean arrived = stream.await(a -> !a.isEmpty(), deadline);
    if (!arrived) {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawnNanos);
      if (stream.outOfSync() != null) {
        return new Handshake(null, 0, 0, "OUT_OF_SYNC");
      }
      if (stream.ended()) {
        Integer status = awaitExit(500);
        return new Handshake(null, 0, 0, "the channel closed after " + ms + " ms without a frame"
            + (status != null ? "; the worker exited with status " + status : ""));
      }
      return new Handshake(null, 0, 0, "no frame at all within the handshake timeout of "
          + Waits.ms(timing.handshakeTimeoutMs()));
    }
    Arrival first = stream.arrivals().get(0);
    WorkerEnvelope envelope = first.envelope();
    if (!envelope.hasHello()) {
      return new Handshake(null, first.nanos(), 0, "the first frame is a " + envelope.getKindCase()
          + ", not a HELLO; the pool answers Reject HELLO_EXPECTED and closes the channel");
    }
    Hello hello = envelope.getHello();
    List<String> problems = new ArrayList<>();
    if (!java.security.MessageDigest.isEqual(token.getBytes(), hello.getToken().getBytes())) {
      problems.add("token " + (hello.getToken().isEmpty() ? "empty" : "of " + hello.getToken().length()
          + " characters that is not IPCLAB_TOKEN") + " (Reject BAD_TOKEN)");
    }
    if (hello.getPid() != process.pid()) {
      problems.add("pid " + hello.getPid() + ", but the process started is pid " + process.pid()
          + " (Reject UNKNOWN_WORKER; a wrapper script must exec the worker)");
    }
    if (hello.getWorkerId() != WorkerSpawn.WORKER_ID) {
      problems.add("worker_id " + hello.getWorkerId() + ", but IPCLAB_WORKER_ID is " + WorkerSpawn.WORKER_ID
          + " (Reject UNKNOWN_WORKER)");
    }
    if (hello.getProtocolVersion() != dev.ipclab.transport.protocol.Protocol.VERSION) {
      problems.add("protocol_version " + hello.getProtocolVersion() + ", not "
          + dev.ipclab.transport.protocol.Protocol.VERSION + " (Reject PROTOCOL_VERSION)");
    }
    if (envelope.getRequestId() != 0) {
      problems.add("request_id " + envelope.getRequestId() + ", not 0 (a Hello is one-way)");
    }
    if (!problems.isEmpty()) {
      return new Handshake(hello, first.nanos(), 0, "a Hello with " + String.join("; ", problems));
    }
    stream.send(ParentEnvelope.newBuilder()
        .setWelcome(Welcome.newBuilder()
            .setParentPid(ProcessHandle.current().pid())
            .setHeartbeatIntervalMs((int) timing.heartbeatIntervalMs())
            .setHeartbeatTimeoutMs((int) timing.heartbeatTimeoutMs())
            .setMaxFrameBytes(maxFrameBytes))
        .build(), 2_000);
    long welcomed = System.nanoTime();
    heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "conform-heartbeat");
      t.setDaemon(true);
      return t;
    });
    heartbeats.scheduleAtFixedRate(() -> stream.offer(ParentEnvelope.newBuilder()
            .setHeartbeat(Heartbeat.newBuilder()
                .setSequence(heartbeatSequence.incrementAndGet())
                .setSendNanos(System.nanoTime()))
            .build()),
        timing.heartbeatIntervalMs(), timing.heartbeatIntervalMs(), TimeUnit.MILLISECONDS);
    return new Handshake(hello, first.nanos(), welcomed, null);
  }

  /** A fresh request id: 1, 2, 3... never reused in this session. */
  long nextId() {
    return nextId.incrementAndGet();
  }

  /** The highest request id handed out so far. */
  long lastId() {
    return nextId.get();
  }

  void send(ParentEnvelope envelope) throws IOException {
    sent.put(envelope.getRequestId(), envelope.getKindCase());
    stream.send(envelope, 2_000);
  }

  /** Sends several frames in one write, as a parent's batch does. */
  void sendAll(List<ParentEnvelope> envelopes) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    for (ParentEnvelope e : envelopes) {
      sent.put(e.getRequestId(), e.getKindCase());
      e.writeDelimitedTo(bytes);
    }
    stream.sendRaw(bytes.toByteArray(), 5_000);
  }

  /** Every request id sent so far (0 for one-way frames) and the kind of the last frame sent with it. */
  java.util.Map<Long, ParentEnvelope.KindCase> sent() {
    return java.util.Map.copyOf(sent);
  }

  FrameStream stream() {
    return stream;
  }

  /** The first frame answering {@code id}, waited for until the deadline; null if none. */
  Arrival awaitReply(long id, long deadlineNanos) throws InterruptedException {
    stream.await(a -> firstReply(a, id) != null, deadlineNanos);
    return firstReply(stream.arrivals(), id);
  }

  static Arrival firstReply(List<Arrival> arrivals, long id) {
    for (Arrival a : arrivals) {
      if (a.envelope().getRequestId() == id && !a.envelope().hasHeartbeat()) {
        return a;
      }
    }
    return null;
  }

  static List<Arrival> replies(List<Arrival> arrivals, long id) {
    return arrivals.stream()
        .filter(a -> a.envelope().getRequestId() == id && !a.envelope().hasHeartbeat())
        .toList();
  }

  /** Stops the parent's heartbeats, as a parent that shuts a worker down does. */
  void stopHeartbeats() {
    if (heartbeats != null) {
      heartbeats.shutdownNow();
    }
  }

  /** End-of-file on the worker's stdin, and nothing else: on a socket transport the socket stays open. */
  void closeStdin() {
    stdinClosed = true;
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already closed by the worker's exit
    }
  }

  /** The exit status, waited for up to {@code millis}; null if the worker is still running. */
  Integer awaitExit(long millis) throws InterruptedException {
    if (process.waitFor(millis, TimeUnit.MILLISECONDS)) {
      return process.exitValue();
    }
    return null;
  }

  Process process() {
    return process;
  }

  TransportKind transport() {
    return transport;
  }

  Timing timing() {
    return timing;
  }

  int maxFrameBytes() {
    return maxFrameBytes;
  }

  List<String> command() {
    return command;
  }

  /** Bytes the worker wrote to stdout on a socket transport, and the first of them. */
  long strayStdoutBytes() {
    synchronized (strayStdout) {
      return strayStdoutBytes;
    }
  }

  byte[] strayStdoutPreview() {
    synchronized (strayStdout) {
      return strayStdout.toByteArray();
    }
  }

  /** The last {@code lines} lines of the worker's stderr. */
  List<String> logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, java.nio.charset.StandardCharsets.UTF_8);
      return List.copyOf(all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | java.io.UncheckedIOException e) {
      return List.of("(cannot read " + log + ": " + e.getMessage() + ")");
    }
  }

  /**
   * Ends the session without leaving anything: stops the heartbeats, closes stdin, gives the worker 2 s to exit,
   * then kills it and its descendants with SIGKILL and waits for that.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopHeartbeats();
    if (stream != null) {
      stream.close();
    }
    if (!stdinClosed) {
      closeStdin();
    }
    try {
      if (awaitExit(2_000) == null) {
        kill(process);
      }
      if (stdoutDrain != null) {
        stdoutDrain.join(2_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
    }
    if (stream != null) {
      try {
        stream.join(2_000); // to the end of what the worker wrote: an incomplete last frame is evidence too
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    endpoint.close();
    try {
      process.getInputStream().close();
    } catch (IOException e) {
      // gone with the process
    }
  }

  /** SIGKILL to the process and everything it started, then waits up to 5 s for it. */
  static void kill(Process process) {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
