package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ipclab.demos.AsyncIoDemo;
import dev.ipclab.demos.DemoContext;
import dev.ipclab.demos.DemoResult;
import dev.ipclab.demos.evidence.AsyncIoEvidence;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The async-io demo: its verdict, and behind it the server processes, their loopback listening sockets, their
 * latency and bytes as an outside client sees them, and the downloaded files, which are gone afterwards.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AsyncIoIT {

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void asyncPageTakesTheSlowestImageOnOneThread(TransportKind transport) throws Exception {
    List<String> shmBefore = shm();
    Path dir;
    List<String> files = new ArrayList<>();
    try (DemoContext context = DemoRuns.context(transport)) {
      DemoResult result = DemoRuns.run(new AsyncIoDemo(), context);
      DemoRuns.assertHolds(result);
      // The browser's event loop as the kernel saw it once every request was sent: its epoll watched the page's
      // sockets. Each stays registered until its answer, at least the fastest server's 100 ms later; a reading
      // delayed past that by a busy machine sees fewer, never none, and never more than one per image.
      AsyncIoEvidence evidence = result.evidence(AsyncIoEvidence.class);
      assertThat(evidence.browserEpollWatchedSockets()).isBetween(1, 4);
      long me = ProcessHandle.current().pid();

      List<Long> servers = evidence.servers().stream().map(AsyncIoEvidence.ImageServer::pid).toList();
      List<Integer> ports = evidence.servers().stream().map(AsyncIoEvidence.ImageServer::port).toList();
      List<Long> sizes = evidence.servers().stream().map(AsyncIoEvidence.ImageServer::sizeBytes).toList();
      long browser = result.pids().get("browser (worker-5)");
      assertThat(servers).hasSize(4).doesNotHaveDuplicates().doesNotContain(browser, me);
      for (int i = 0; i < servers.size(); i++) {
        long pid = servers.get(i);
        assertThat(ProcStatus.read(pid).orElseThrow().ppid()).as("server %d's parent", pid).isEqualTo(me);
        assertThat(loopbackListenerInodes(ports.get(i))).as("LISTEN on 127.0.0.1:%d", ports.get(i))
            .isNotEmpty().allMatch(inode -> socketInodes(pid).contains(inode));
        // The server waits without a thread per request: its one event loop is its only img-server thread.
        assertThat(threadNames(pid).stream().filter(n -> n.startsWith("img-server")).count()).isEqualTo(1);
      }
      assertThat(ProcStatus.read(browser).orElseThrow().ppid()).isEqualTo(me);
      // Every thread a load started has ended with it. Java's join returns as the thread ends in Java, a moment
      // before the kernel drops its task directory; so wait for that, bounded.
      Os.within(30_000, () -> {
        try {
          return threadNames(browser).stream().noneMatch(n -> n.startsWith("page-"));
        } catch (IOException e) {
          return false;
        }
      });
      assertThat(threadNames(browser)).noneMatch(n -> n.startsWith("page-"));

      // The slowest server, asked by a client of our own: it answers after its latency, with the bytes it reported.
      String url = "http://127.0.0.1:" + ports.get(0) + "/image";
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      long start = System.nanoTime();
      HttpResponse<byte[]> image = client.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(image.statusCode()).isEqualTo(200);
      assertThat(millis).as("ms until the slow server answered").isGreaterThanOrEqualTo(800);
      assertThat((long) image.body().length).isEqualTo(sizes.get(0));
      assertThat(image.headers().firstValue("X-Image-Sha256")).contains(sha256(image.body()));
      assertThat(image.body()).startsWith(0x89, 'P', 'N', 'G');
      client.close();

      // Every async callback ran on the one event-loop thread, and the thread-per-image load had one per image.
      assertThat(evidence.async().timeline()).extracting(AsyncIoEvidence.ImageLoad::ioThread)
          .allMatch(n -> n.startsWith("page-loop"));
      assertThat(evidence.async().ioTids()).hasSize(1);
      assertThat(evidence.threads().ioTids()).hasSize(4);

      dir = Path.of(evidence.downloadDir());
      for (AsyncIoEvidence.Page page : List.of(evidence.sync(), evidence.threads(), evidence.async())) {
        List<String> paths = page.files();
        assertThat(paths).hasSize(4);
        for (int i = 0; i < paths.size(); i++) {
          Path file = Path.of(paths.get(i));
          assertThat(file.startsWith(dir)).isTrue();
          assertThat(Files.size(file)).as("%s on disk", file).isEqualTo(sizes.get(i));
          files.add(paths.get(i));
        }
      }
    }
    assertThat(dir).doesNotExist();
    assertThat(files).hasSize(12).noneMatch(f -> Files.exists(Path.of(f)));
    assertThat(shm()).as("/dev/shm entries of ipclab").isEqualTo(shmBefore);
  }

  /** Inodes of LISTEN sockets on 127.0.0.1:port (IPv4, or IPv4-mapped IPv6), from /proc/net/tcp and tcp6. */
  private static List<Long> loopbackListenerInodes(int port) throws IOException {
    String portHex = String.format(Locale.ROOT, ":%04X", port);
    List<Long> inodes = new ArrayList<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      for (String line : Files.readAllLines(Path.of(table))) {
        String[] f = line.trim().split("\\s+");
        boolean loopback = f[1].equals("0100007F" + portHex)
            || f[1].equalsIgnoreCase("0000000000000000FFFF00000100007F" + portHex);
        if (loopback && f[3].equals("0A")) {
          inodes.add(Long.parseLong(f[9]));
        }
        if (f.length > 3 && f[1].endsWith(portHex) && f[3].equals("0A") && !loopback) {
          throw new AssertionError("port " + port + " listens beyond loopback: " + line);
        }
      }
    }
    return inodes;
  }

  private static List<Long> socketInodes(long pid) {
    try {
      return Os.fdTargets(pid).stream().filter(t -> t.startsWith("socket:["))
          .map(t -> Long.parseLong(t.substring(8, t.length() - 1))).toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static List<String> threadNames(long pid) throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path task : tasks.toList()) {
        try {
          names.add(Files.readString(task.resolve("comm")).trim());
        } catch (IOException e) {
          // the thread ended while we listed
        }
      }
    }
    return names;
  }

  private static List<String> shm() throws IOException {
    try (Stream<Path> list = Files.list(Path.of("/dev/shm"))) {
      return list.map(p -> p.getFileName().toString()).filter(n -> n.contains("ipclab")).sorted().toList();
    }
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
