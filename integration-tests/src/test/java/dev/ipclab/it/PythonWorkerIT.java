package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.cli.conform.ConformCheck;
import dev.ipclab.parent.PoolListener;
import dev.ipclab.parent.TaskHandle;
import dev.ipclab.parent.TaskOutcome;
import dev.ipclab.parent.TaskSpec;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.transport.TransportKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reference Python worker (examples/python-worker): it keeps the contract by {@code ipclab conform}, and a
 * supervised pool of them runs real tasks, survives the SIGKILL of one worker by retrying its tasks elsewhere, and
 * gives every task exactly one outcome. Skips, saying why, where Python with protobuf or protoc is missing.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PythonWorkerIT {
  static {
    Pools.initLogging();
  }

  private PythonWorker python;

  @BeforeEach
  void python() {
    String skip = PythonWorker.skipReason();
    Assumptions.assumeTrue(skip == null, () -> "skipped: " + skip);
    python = PythonWorker.get();
  }

  @ParameterizedTest
  @ValueSource(strings = {"pipe", "uds"})
  void passesConform(String transport) throws Exception {
    ConformRuns.Run run = ConformRuns.conform(python.environment(), transport, python.command());

    assertThat(run.report()).as(run.describe()).isNotNull();
    assertThat(run.verdicts()).as(run.describe())
        .hasSize(ConformCheck.values().length)
        .allSatisfy((id, verdict) -> assertThat(verdict).as(id).isEqualTo("PASS"));
    assertThat(run.status()).isZero();
    assertThat(run.check("hello").get("arrived").asText())
        .contains("task kinds [echo, fail, primes, sha256, sha256-file, sleep]");
  }

  @ParameterizedTest
  @EnumSource(value = TransportKind.class, names = {"PIPE", "UDS"})
  void supervisedPoolRetriesTheTasksOfAKilledWorkerAndGivesEachOneOutcome(TransportKind transport,
      @org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
    Map<Long, AtomicInteger> retries = new ConcurrentHashMap<>();
    Path file = tmp.resolve("data.bin");
    byte[] data = new byte[3 * 1024 * 1024 + 17];
    new java.util.Random(3).nextBytes(data);
    Files.write(file, data);

    try (WorkerPool pool = WorkerPool.builder()
        .command(python.command())
        .environment(python.environment())
        .requireKinds("primes", "sha256", "sha256-file", "sleep")
        .workers(3)
        .transport(transport)
        .heartbeat(Duration.ofMillis(200), Duration.ofMillis(2_000))
        .handshakeTimeout(Duration.ofSeconds(15))
        .readyTimeout(Duration.ofSeconds(30))
        .shutdownGrace(Duration.ofSeconds(5))
        .restartBackoff(Duration.ofMillis(50), Duration.ofMillis(500))
        .closeOnJvmShutdown(true)
        .listener(new PoolListener() {
          @Override
          public void taskRetried(long taskId, int attempt, String cause) {
            retries.computeIfAbsent(taskId, k -> new AtomicInteger()).incrementAndGet();
          }
        })
        .start()) {
      // Real work first: answers checked against Java's own.
      TaskOutcome primes = pool.submit(TaskSpec.of("primes", ascii("1000000"))).outcome().get(30, TimeUnit.SECONDS);
      assertThat(primes.result().getPayload().toStringUtf8()).isEqualTo("78498");
      TaskOutcome hash = pool.submit(TaskSpec.of("sha256", ByteString.copyFrom(data))).outcome()
          .get(30, TimeUnit.SECONDS);
      assertThat(hash.result().getPayload().toStringUtf8()).isEqualTo(sha256(data));
      TaskOutcome fileHash = pool.submit(TaskSpec.of("sha256-file", ByteString.copyFromUtf8(file.toString())))
          .outcome().get(30, TimeUnit.SECONDS);
      assertThat(fileHash.result().getPayload().toStringUtf8()).isEqualTo(sha256(data));

      // Long tasks on every worker, then worker 2 dies by SIGKILL in the middle of its share.
      List<TaskHandle> handles = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        handles.add(pool.submit(TaskSpec.of("sleep", ascii("1500"))));
      }
      for (int i = 0; i < 12; i++) {
        handles.add(pool.submit(TaskSpec.of("primes", ascii(Integer.toString(10_000 + i)))));
      }
      TimeUnit.MILLISECONDS.sleep(400);
      long victim = pool.worker(2).pid();
      long killedNanos = System.nanoTime();
      Os.kill("KILL", victim);

      List<TaskOutcome> outcomes = new ArrayList<>();
      for (TaskHandle h : handles) {
        outcomes.add(h.outcome().get(60, TimeUnit.SECONDS));
      }
      for (int i = 0; i < 12; i++) {
        assertThat(outcomes.get(i).result().getPayload().toStringUtf8()).isEqualTo("1500");
        assertThat(outcomes.get(12 + i).result().getPayload().toStringUtf8())
            .isEqualTo(Integer.toString(primesUpTo(10_000 + i)));
      }
      // Both clocks are CLOCK_MONOTONIC: what the killed worker answered, it finished before it died.
      assertThat(outcomes.stream().filter(o -> o.workerPid() == victim))
          .as("outcomes from the killed worker were finished before its SIGKILL")
          .allSatisfy(o -> assertThat(o.result().getEndNanos()).isLessThan(killedNanos));
      List<TaskOutcome> retried = outcomes.stream().filter(o -> o.attempts() > 1).toList();
      assertThat(retried).as("the killed worker's tasks ran again elsewhere").isNotEmpty();
      for (TaskOutcome o : retried) {
        assertThat(retries.get(o.taskId())).as("retries of task %d", o.taskId()).isNotNull();
        assertThat(retries.get(o.taskId()).get()).isEqualTo(o.attempts() - 1);
      }
      assertThat(outcomes.stream().map(TaskOutcome::taskId).distinct().count()).as("one outcome per task")
          .isEqualTo(handles.size());
      assertThat(Os.within(10_000, () -> pool.restarts(2) >= 1 && pool.worker(2).pid() != victim))
          .as("worker 2 replaced").isTrue();
      assertThat(pool.submit(TaskSpec.of("echo", ascii("after"))).outcome().get(30, TimeUnit.SECONDS)
          .result().getPayload().toStringUtf8()).isEqualTo("after");
    }
  }

  private static ByteString ascii(String s) {
    return ByteString.copyFrom(s, StandardCharsets.US_ASCII);
  }

  private static String sha256(byte[] data) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }

  private static int primesUpTo(int n) {
    boolean[] composite = new boolean[n + 1];
    int count = 0;
    for (int i = 2; i <= n; i++) {
      if (!composite[i]) {
        count++;
        for (long j = (long) i * i; j <= n; j += i) {
          composite[(int) j] = true;
        }
      }
    }
    return count;
  }
}
