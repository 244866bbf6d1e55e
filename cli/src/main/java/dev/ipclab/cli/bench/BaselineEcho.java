package dev.ipclab.cli.bench;

import dev.ipclab.parent.WorkerPoolBuilder;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The bare-JDK baseline of one transport and idle mode: a {@code BareEcho} child JVM (same {@code java}, same
 * footprint flags as a worker) over the same kind of OS channel, and a plain loop on the caller's thread that
 * writes a 4-byte length and the payload and reads the echo back (on shm, spinning only: a mapped file in
 * {@code /dev/shm}, {@link ShmEchoChannel}). No Netty and no protobuf on either side, so ipclab's round trip divided
 * by this one is what ipclab's layers cost.
 */
final class BaselineEcho implements AutoCloseable {
  static final String MAIN_CLASS = "dev.ipclab.cli.bench.echo.BareEcho";
  private static final long CONNECT_TIMEOUT_MS = 20_000;

  private final Process process;
  private final EchoChannel channel;
  private final Path socketDir;

  private BaselineEcho(Process process, EchoChannel channel, Path socketDir) {
    this.process = process;
    this.channel = channel;
    this.socketDir = socketDir;
  }

  /**
   * Whether there is a bare-JDK echo for {@code kind} and {@code idle}: pipe, tcp and uds in both idle modes, shm
   * only spinning (a blocking shm echo would need a futex, which the JDK does not offer).
   */
  static boolean supports(TransportKind kind, IdleStrategy idle) {
    return switch (kind.cliName()) {
      case "pipe", "tcp", "uds" -> true;
      case "shm" -> idle == IdleStrategy.SPIN;
      default -> false;
    };
  }

  /**
   * Spawns the echo child and connects to it; the caller closes it. {@code maxPayload} sizes the shm echo's file.
   */
  static BaselineEcho start(TransportKind kind, IdleStrategy idle, int maxPayload) throws IOException {
    boolean spin = idle == IdleStrategy.SPIN;
    String mode = idle.cliName();
    switch (kind.cliName()) {
      case "pipe" -> {
        Process p = spawn("pipe", mode, true);
        return new BaselineEcho(p, new EchoChannel.Streams(p.getInputStream(), p.getOutputStream(), spin), null);
      }
      case "tcp" -> {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
          server.bind(new InetSocketAddress("127.0.0.1", 0), 1);
          int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
          Process p = spawn("tcp:127.0.0.1:" + port, mode, false);
          SocketChannel accepted = accept(server, p);
          accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
          return new BaselineEcho(p, new EchoChannel.Socket(accepted, spin), null);
        }
      }
      case "uds" -> {
        Path dir = Files.createTempDirectory("ipclab-bench-" + ProcessHandle.current().pid() + "-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path socket = dir.resolve("echo.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
          server.bind(UnixDomainSocketAddress.of(socket), 1);
          Process p = spawn("uds:" + socket, mode, false);
          return new BaselineEcho(p, new EchoChannel.Socket(accept(server, p), spin), dir);
        } catch (IOException | RuntimeException e) {
          deleteDir(dir);
          throw e;
        }
      }
      case "shm" -> {
        Path file = ShmEchoChannel.create(Path.of("/dev/shm", "ipclab-bench-" + ProcessHandle.current().pid()
            + "-echo-" + System.nanoTime() + ".shm"), maxPayload);
        Process p = null;
        try {
          p = spawn("shm:" + file, mode, false);
          ShmEchoChannel channel = ShmEchoChannel.open(file, p.toHandle());
          channel.prepare(new byte[0]);
          channel.roundTrip(); // the echo has mapped the file and answers
          return new BaselineEcho(p, channel, null);
        } catch (IOException | RuntimeException e) {
          if (p != null) {
            p.destroyForcibly();
          }
          Files.deleteIfExists(file);
          throw e;
        }
      }
      default -> throw new IllegalArgumentException("no bare-JDK echo for transport " + kind
          + "; expected pipe, tcp, uds or shm");
    }
  }

  /**
   * Starts a {@code BareEcho} child with a worker's {@code java} and footprint flags; on a pipe its stdin and
   * stdout are the channel.
   */
  static Process spawn(String channel, String idle, boolean pipe) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(
        WorkerPoolBuilder.workerJvmCommand(WorkerPoolBuilder.codeSource(dev.ipclab.cli.bench.echo.BareEcho.class), MAIN_CLASS,
            List.of(channel, idle)));
    builder.redirectError(Redirect.INHERIT); // it prints nothing unless it fails, and then the user must see why
    if (!pipe) {
      builder.redirectOutput(Redirect.DISCARD);
      builder.redirectInput(Redirect.PIPE);
    }
    return builder.start();
  }

  /** Waits for the child to connect, and gives up if it exits or takes more than 20 s. */
  private static SocketChannel accept(ServerSocketChannel server, Process child) throws IOException {
    server.configureBlocking(false);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS);
    while (true) {
      SocketChannel accepted = server.accept();
      if (accepted != null) {
        return accepted;
      }
      if (!child.isAlive() || System.nanoTime() > deadline) {
        child.destroyForcibly();
        throw new IOException("the bare-JDK echo pid " + child.pid() + " did not connect to "
            + server.getLocalAddress() + " within " + CONNECT_TIMEOUT_MS + " ms ("
            + (child.isAlive() ? "still running" : "it exited") + "); its stderr is above");
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        child.destroyForcibly();
        throw new IOException("interrupted while waiting for the bare-JDK echo to connect", e);
      }
    }
  }

  /** Round trips of {@code payload} for {@code warmup} then {@code measure}; the measured ones in nanoseconds. */
  Histogram measure(byte[] payload, Duration warmup, Duration measure) throws IOException {
    channel.prepare(payload);
    Histogram nanos = Percentiles.newNanosHistogram();
    long start = System.nanoTime();
    long warmupEnd = start + warmup.toNanos();
    long measureEnd = warmupEnd + measure.toNanos();
    while (true) {
      long sent = System.nanoTime();
      channel.roundTrip();
      long now = System.nanoTime();
      if (!channel.echoedIntact()) {
        throw new IOException("the bare-JDK echo pid " + process.pid() + " returned bytes that differ from the "
            + payload.length + " sent");
      }
      if (sent >= warmupEnd) {
        Percentiles.record(nanos, now - sent);
      }
      if (now >= measureEnd) {
        return nanos;
      }
    }
  }

  long pid() {
    return process.pid();
  }

  /** Closes the channel (the echo exits at end of stream), kills it if it lingers, removes the socket. */
  @Override
  public void close() {
    List<IOException> problems = new ArrayList<>();
    try {
      channel.close();
    } catch (IOException e) {
      problems.add(e);
    }
    try {
      process.getOutputStream().close(); // a socket echo's unused stdin
    } catch (IOException e) {
      problems.add(e);
    }
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    if (socketDir != null) {
      deleteDir(socketDir);
    }
    if (!problems.isEmpty()) {
      throw new java.io.UncheckedIOException("closing the bare-JDK echo pid " + process.pid(), problems.get(0));
    }
  }

  private static void deleteDir(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a stale socket in a private temp directory is harmless; nothing else to do
    }
  }
}
