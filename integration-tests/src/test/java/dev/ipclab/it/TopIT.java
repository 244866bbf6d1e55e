package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ipclab.parent.ParentRecord;
import dev.ipclab.parent.control.ControlClient;
import dev.ipclab.parent.control.ControlFraming;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.proto.v1.ControlReply;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.WorkerSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ipclab top} on a real running parent: {@code --once} checked against ProcessHandle and /proc, the live
 * view under a pseudo-terminal quit with 'q', and the control socket shrugging off garbage.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TopIT {
  /** Threads come and go (JIT compiler threads, GC helpers) between top's read and ours. */
  private static final int THREAD_TOLERANCE = 4;
  private static final String CLEAR = "\033[H\033[2J";

  @ParameterizedTest
  @ValueSource(strings = {"pipe", "uds", "tcp"})
  void onceShowsEveryProcessWithRealThreadsAndTraffic(String transport) throws Exception {
    try (ParentCli parent = startParent(transport)) {
      List<Long> children = children(parent);
      assertThat(ParentRecord.controlSocket(parent.pid())).exists();

      JsonNode frame;
      try (ParentCli top = ParentCli.start("top", Long.toString(parent.pid()), "--once", "--json")) {
        assertThat(top.waitFor(60)).as(top.stderr()).isZero();
        frame = new ObjectMapper().readTree(top.stdout());
      }
      assertThat(frame.get("parent_pid").asLong()).isEqualTo(parent.pid());
      assertThat(frame.get("transports").get(0).asText()).isEqualTo(transport);
      assertThat(frame.get("seconds").asDouble()).as("rates over two real samples").isGreaterThan(0.3);
      List<Long> pids = new ArrayList<>();
      frame.get("rows").forEach(r -> pids.add(r.get("pid").asLong()));
      List<Long> expected = new ArrayList<>(List.of(parent.pid()));
      expected.addAll(children);
      assertThat(pids).as("the parent, then its children from ProcessHandle").isEqualTo(expected);
      for (JsonNode r : frame.get("rows")) {
        long pid = r.get("pid").asLong();
        assertThat(r.get("threads").asInt()).as("threads of pid " + pid)
            .isCloseTo(ProcStatus.read(pid).orElseThrow().threads(), Offset.offset(THREAD_TOLERANCE));
        assertThat(r.get("rss_kib").asLong()).isPositive();
        assertThat(r.get("cpu_percent").asDouble()).isGreaterThanOrEqualTo(0);
        assertThat(r.get("restarts").asLong()).isZero();
        // --status-every 100ms pings each worker ten times a second: real traffic both ways.
        assertThat(r.get("messages_in_per_second").asDouble()).as("msgs in/s of " + pid).isPositive();
        assertThat(r.get("messages_out_per_second").asDouble()).as("msgs out/s of " + pid).isPositive();
        assertThat(r.get("bytes_in_per_second").asDouble()).isPositive();
        if (pid != parent.pid()) {
          assertThat(r.get("role").asText()).isEqualTo("worker");
          assertThat(r.get("state").asText()).isEqualTo("READY");
          assertThat(r.get("status_error").isNull()).as(r.toString()).isTrue();
        }
      }

      try (ParentCli top = ParentCli.start("top", "--once", Long.toString(parent.pid()))) {
        assertThat(top.waitFor(60)).as(top.stderr()).isZero();
        assertThat(top.stdout()).contains("ipclab top - parent " + parent.pid(), "MSG_IN/s", "worker-1")
            .doesNotContain("\033[");
        children.forEach(c -> assertThat(top.stdout()).contains(Long.toString(c)));
      }
      stop(parent);
    }
  }

  /**
   * The live view under a pseudo-terminal that util-linux {@code script} allocates: it redraws, quits on 'q' (status
   * 0) or Ctrl-C (the JVM's 130), and leaves the terminal as it found it, as {@code stty -a} run right after shows.
   */
  @ParameterizedTest
  @CsvSource({"q, 0", "ctrl-c, 130"})
  void interactiveUnderAPseudoTerminalRefreshesQuitsAndRestoresTheTerminal(String key, int status)
      throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")) || Files.isExecutable(Path.of("/bin/script")),
        "util-linux 'script' allocates the pseudo-terminal; apt-get install util-linux");
    try (ParentCli parent = startParent("pipe")) {
      List<Long> children = children(parent);
      String top = ParentCli.command("top", Long.toString(parent.pid()), "--interval", "200ms").stream()
          .map(a -> "'" + a.replace("'", "'\\''") + "'").collect(Collectors.joining(" "));
      String shell = "stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\?\\(icanon\\|echo\\)' | sed 's/^/before: /'; "
          + top + "; echo \"top-exit=$?\"; stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\?\\(icanon\\|echo\\)'"
          + " | sed 's/^/after: /'";
      ProcessBuilder pb = new ProcessBuilder("script", "-qfec", shell, "/dev/null").redirectErrorStream(true);
      // script runs $SHELL -c; bash goes on after a child that handled Ctrl-C itself (the JVM exits 130)
      pb.environment().put("SHELL", Files.isExecutable(Path.of("/bin/bash")) ? "/bin/bash" : "/bin/sh");
      Process script = pb.start();
      ByteArrayOutputStream screen = new ByteArrayOutputStream();
      Thread drain = Thread.ofPlatform().daemon().start(() -> copy(script.getInputStream(), screen));
      try {
        boolean framed = Os.within(60_000, () -> {
          String s = text(screen);
          // Two frames, so the refresh (not just the first draw) is seen.
          return s.split(java.util.regex.Pattern.quote(CLEAR), -1).length > 2
              && children.stream().allMatch(c -> s.contains(Long.toString(c)));
        });
        assertThat(framed).as("frames with the worker pids; the screen so far:\n" + text(screen)).isTrue();
        OutputStream keys = script.getOutputStream();
        keys.write(key.equals("q") ? 'q' : 3); // 3 is what the Ctrl-C key sends; the pty turns it into SIGINT
        keys.flush();
        assertThat(script.waitFor(15, TimeUnit.SECONDS)).as("top quits; screen:\n" + text(screen)).isTrue();
        drain.join(5_000);
        String out = text(screen);
        assertThat(out).contains(CLEAR, "q quits", "READY", "top-exit=" + status);
        List<String> before = out.lines().filter(l -> l.startsWith("before: ")).map(l -> l.substring(8)).toList();
        List<String> after = out.lines().filter(l -> l.startsWith("after: ")).map(l -> l.substring(7)).toList();
        assertThat(before).as(out).containsExactlyInAnyOrder("icanon", "echo");
        assertThat(after).as("the terminal as top found it").isEqualTo(before);
      } finally {
        script.descendants().forEach(ProcessHandle::destroyForcibly);
        script.destroyForcibly();
        script.waitFor(10, TimeUnit.SECONDS);
      }
      stop(parent);
    }
  }

  @Test
  void garbageOnTheControlSocketGetsAnErrorAndTheParentKeepsServing() throws Exception {
    try (ParentCli parent = startParent("uds")) {
      Path socket = ParentRecord.controlSocket(parent.pid());
      // A length prefix of 100 MiB: refused before a byte of it is allocated.
      assertThat(rawExchange(socket, new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x32}).getMessage())
          .contains("exceeds the limit");
      // A sane length followed by bytes that are not a ControlRequest.
      ErrorReply garbage = rawExchange(socket, new byte[] {4, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
      assertThat(garbage.getCode()).isEqualTo(ErrorCode.ERROR_CODE_MALFORMED_FRAME);

      try (ControlClient client = ControlClient.connect(socket)) {
        List<WorkerSnapshot> workers = client.snapshot(Duration.ofSeconds(2)).getPools(0).getWorkersList();
        assertThat(workers).hasSize(2).allSatisfy(w -> {
          assertThat(w.getState()).isEqualTo("READY");
          assertThat(w.hasStatus()).as(w.getStatusError()).isTrue();
          assertThat(w.getStatus().getFramesReceived()).isPositive();
        });
      }
      stop(parent);
    }
  }

  /** Sends raw bytes, reads the error reply, and checks the parent then closes the connection. */
  private static ErrorReply rawExchange(Path socket, byte[] bytes) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      OutputStream out = Channels.newOutputStream(ch);
      out.write(bytes);
      out.flush();
      InputStream in = Channels.newInputStream(ch);
      ControlReply reply = ControlFraming.read(in, ControlReply.parser(), ControlFraming.MAX_REPLY_BYTES, "parent");
      assertThat(reply).isNotNull();
      assertThat(reply.hasError()).as(reply.toString()).isTrue();
      assertThat(in.read()).as("the parent closes after the error reply").isEqualTo(-1);
      return reply.getError();
    }
  }

  private static ParentCli startParent(String transport) throws Exception {
    ParentCli parent = ParentCli.start("run", "--workers", "2", "--transport", transport, "--status-every", "100ms");
    assertThat(parent.awaitLine("Running", 60_000)).as(parent.stderr()).isNotNull();
    return parent;
  }

  private static List<Long> children(ParentCli parent) {
    List<Long> children = parent.process().children().map(ProcessHandle::pid).sorted().toList();
    assertThat(children).hasSize(2);
    return children;
  }

  private static void stop(ParentCli parent) throws Exception {
    Os.kill("TERM", parent.pid());
    assertThat(parent.waitFor(60)).as(parent.stderr()).isIn(0, 143);
    assertThat(ParentRecord.file(parent.pid())).as("record removed at exit").doesNotExist();
    assertThat(ParentRecord.controlSocket(parent.pid())).as("control socket removed at exit").doesNotExist();
  }

  private static void copy(InputStream in, ByteArrayOutputStream into) {
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) > 0; ) {
        synchronized (into) {
          into.write(buf, 0, n);
        }
      }
    } catch (IOException e) {
      // the pty closed
    }
  }

  private static String text(ByteArrayOutputStream screen) {
    synchronized (screen) {
      return screen.toString(StandardCharsets.UTF_8);
    }
  }
}
