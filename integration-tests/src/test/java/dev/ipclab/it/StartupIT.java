package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.transport.TransportKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Workers start from the AOT cache the build trained next to the worker jar: the command line names it, the JVM
 * maps it, and the worker's log carries no complaint from the JVM about it.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StartupIT {

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "TCP", "UDS"})
  void workerStartsFromTheBuiltCacheAndTheJvmAcceptsIt(TransportKind transport) throws Exception {
    Path cache = cacheFor(transport);
    assertThat(cache).as("the build ('./mvnw package', parent module) trains this cache next to the worker jar")
        .isRegularFile();

    try (WorkerPool pool = Pools.builder(transport, 1).start()) {
      PoolWorker w = pool.worker(1);
      assertThat(w.state()).isEqualTo(WorkerState.READY);
      assertThat(Os.cmdline(w.pid())).contains("-XX:AOTCache=" + cache);
      // Mapped, not only named: the JVM refuses a cache it cannot use and then never maps it.
      assertThat(Files.readString(Path.of("/proc", Long.toString(w.pid()), "maps"))).contains(cache.toString());
      assertThat(w.ping(ByteString.copyFromUtf8("after a cached start")).get(10, TimeUnit.SECONDS)
          .getPayload().toStringUtf8()).isEqualTo("after a cached start");
      assertThat(jvmAotComplaints(w)).as("the JVM's AOT messages in %s", w.logFile()).isEmpty();
    }
  }

  /** The control for the test above: a cache the JVM refuses is reported in the log, and the worker still runs. */
  @Test
  void aCacheTheJvmRefusesIsLoggedAndTheWorkerStartsWithoutIt() throws Exception {
    Path cache = cacheFor(TransportKind.PIPE);
    assertThat(cache).isRegularFile();

    // The cache was made with compact object headers; a JVM without them cannot use it.
    try (WorkerPool pool = Pools.builder(TransportKind.PIPE, 1)
        .jvmArgs(List.of("-XX:-UseCompactObjectHeaders")).start()) {
      PoolWorker w = pool.worker(1);
      assertThat(Os.cmdline(w.pid())).contains("-XX:AOTCache=" + cache);
      assertThat(w.ping(ByteString.EMPTY).get(10, TimeUnit.SECONDS)).isNotNull();
      assertThat(Files.readString(Path.of("/proc", Long.toString(w.pid()), "maps"))).doesNotContain(cache.toString());
      assertThat(jvmAotComplaints(w)).anyMatch(line -> line.contains("Unable to use AOT cache"));
    }
  }

  private static Path cacheFor(TransportKind transport) {
    Path jar = ParentCli.jar("ipclab.worker.jar");
    return jar.resolveSibling(transport == TransportKind.PIPE ? "ipclab-worker-pipe.aot" : "ipclab-worker-socket.aot");
  }

  /** The JVM's own log lines about the AOT cache or CDS ({@code [warning][aot] ...}), which go to stderr. */
  private static List<String> jvmAotComplaints(PoolWorker w) throws Exception {
    return Files.readAllLines(w.logFile()).stream()
        .filter(line -> line.matches("^\\[[^]]*\\]\\[(warning|error) *\\]\\[(aot|cds)[^]]*\\].*"))
        .toList();
  }
}
