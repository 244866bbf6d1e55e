package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code ipclab chaos} as a user runs it: the real CLI, real workers, real faults; it must pass its own invariants,
 * and what it claims is checked again from outside where the OS can tell.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 330, unit = TimeUnit.SECONDS)
class ChaosIT {
  /**
   * How long a run may take: its duration, then a start, a drain, detections and a recovery whose lengths depend on
   * the machine's load (a respawned JVM took 33 s to say hello on two cores at load 30), so generous.
   */
  private static final int RUN_SECONDS = 300;

  @Test
  void aSeededRunOnPipesPassesEveryInvariant() throws Exception {
    JsonNode summary = run("--duration", "20s", "--seed", "1", "--transport", "pipe");
    assertThat(summary.get("transport").asText()).isEqualTo("pipe");
  }

  @Test
  void aShorterRunOnUnixSocketsPassesEveryInvariant() throws Exception {
    JsonNode summary = run("--duration", "12s", "--seed", "2", "--transport", "uds", "--workers", "3",
        "--fault-every", "1s");
    assertThat(summary.get("transport").asText()).isEqualTo("uds");
  }

  @Test
  void aRunOnTcpPassesEveryInvariant() throws Exception {
    // On tcp a stray print to fd 1 lands in the worker's log: the run must not count it as a worker taken down.
    JsonNode summary = run("--duration", "16s", "--seed", "3", "--transport", "tcp", "--workers", "3",
        "--fault-every", "1s");
    assertThat(summary.get("transport").asText()).isEqualTo("tcp");
    summary.get("faults").forEach(f -> {
      if (f.get("kind").asText().equals("stdout")) {
        assertThat(f.get("detected_after_ms").isNull()).as("stdout is the log on tcp: " + f).isTrue();
      }
    });
  }

  @Test
  void aRunOnSharedMemoryPassesEveryInvariant() throws Exception {
    JsonNode summary = run("--duration", "16s", "--seed", "4", "--transport", "shm", "--workers", "3",
        "--fault-every", "1s");
    assertThat(summary.get("transport").asText()).isEqualTo("shm");
  }

  @Test
  void aBrokenInvariantSetsExitStatus1() throws Exception {
    // A leak injected into the parent: 64 MB held until the heap is measured after a full GC, so the heap
    // invariant (bound 16 MB) fails whatever the machine's speed and wherever the samples land.
    try (ParentCli cli = ParentCli.start("chaos", "--duration", "2s", "--workers", "2", "--heap-bound-mb", "16",
        "--leak-parent-heap-mb", "64", "--json")) {
      assertThat(cli.waitFor(RUN_SECONDS)).as(cli.stderr()).isEqualTo(1);
      JsonNode summary = new ObjectMapper().readTree(cli.stdout());
      assertThat(summary.get("pass").asBoolean()).isFalse();
      summary.get("invariants").forEach(i -> assertThat(i.get("pass").asBoolean()).as(i.toString())
          .isEqualTo(!i.get("name").asText().startsWith("the parent's heap")));
      assertThat(summary.get("heap").get("used_after_gc_mb").asDouble()).as("the injected leak was measured")
          .isGreaterThanOrEqualTo(64);
    }
  }

  @Test
  void aBadDurationIsAUsageError() throws Exception {
    try (ParentCli cli = ParentCli.start("chaos", "--duration", "soon")) {
      assertThat(cli.waitFor(120)).as(cli.stderr()).isEqualTo(2); // a JVM start, on a loaded machine
      assertThat(cli.stderr()).contains("expected a duration such as 500ms");
    }
  }

  private static JsonNode run(String... options) throws Exception {
    String[] args = new String[options.length + 2];
    args[0] = "chaos";
    System.arraycopy(options, 0, args, 1, options.length);
    args[args.length - 1] = "--json";
    try (ParentCli cli = ParentCli.start(args)) {
      int status = cli.waitFor(RUN_SECONDS);
      String context = "stdout:\n" + cli.stdout() + "\nstderr (tail):\n" + tail(cli.stderr());
      assertThat(status).as(context).isZero();
      JsonNode summary = new ObjectMapper().readTree(cli.stdout());
      assertThat(summary.get("parent_pid").asLong()).isEqualTo(cli.pid());
      assertThat(summary.get("pass").asBoolean()).as(context).isTrue();
      JsonNode invariants = summary.get("invariants");
      assertThat(invariants.size()).isGreaterThanOrEqualTo(10);
      invariants.forEach(i -> assertThat(i.get("pass").asBoolean()).as(i.toString()).isTrue());

      // Not a number of kinds or restarts: how many faults go in depends on how fast workers come back (a fault
      // waits for half the pool to be READY). Two go in whatever the speed: the first two leave a worker READY.
      Set<String> kinds = new HashSet<>();
      summary.get("faults").forEach(f -> kinds.add(f.get("kind").asText()));
      assertThat(summary.get("faults").size()).as("faults injected, of kinds " + kinds).isGreaterThanOrEqualTo(2);
      long downs = 0;
      for (JsonNode f : summary.get("faults")) {
        downs += f.get("detected_after_ms").isNull() ? 0 : 1;
      }
      assertThat(summary.get("restarts").asLong()).as("a restart per worker taken down").isGreaterThanOrEqualTo(downs);
      JsonNode tasks = summary.get("tasks");
      assertThat(tasks.get("completed").asLong()).isPositive();
      assertThat(tasks.get("completed").asLong() + tasks.get("failed").asLong() + tasks.get("cancelled").asLong())
          .as("every submitted task ended one way").isEqualTo(tasks.get("submitted").asLong());

      // From outside: every worker a fault hit is gone now that the CLI has exited.
      summary.get("faults").forEach(f -> assertThat(ProcessHandle.of(f.get("pid").asLong())
          .filter(ProcessHandle::isAlive)).as("worker pid " + f.get("pid") + " after the run").isEmpty());
      return summary;
    }
  }

  private static String tail(String text) {
    String[] lines = text.split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
  }
}
