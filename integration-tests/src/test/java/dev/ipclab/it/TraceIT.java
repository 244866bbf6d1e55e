package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code ipclab demo parallelism --trace FILE}: a Chrome trace whose processes, threads and times are the run's. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class TraceIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void theTraceShowsTheRealProcessesThreadsAndTimesOfTheRun(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trace.json");
    // The test's System.nanoTime() is CLOCK_MONOTONIC as well: every time in the trace must fall inside the run.
    long before = System.nanoTime();
    JsonNode report;
    long parent;
    try (ParentCli cli = ParentCli.start("demo", "parallelism", "--json", "--trace", file.toString())) {
      // 1 when a busy shared machine spoils a speed-up: the verdict is not what this test is about.
      assertThat(cli.waitFor(120)).as(cli.stderr()).isIn(0, 1);
      assertThat(cli.stderr()).contains("Trace written to " + file);
      report = JSON.readTree(cli.stdout());
      parent = cli.pid();
    }
    long after = System.nanoTime();

    JsonNode root = JSON.readTree(Files.readString(file));
    assertThat(root.get("displayTimeUnit").asText()).isEqualTo("ms");
    JsonNode events = root.get("traceEvents");
    assertThat(events.isArray()).isTrue();
    assertThat(events).isNotEmpty();
    Set<Long> pids = new HashSet<>();
    Set<String> used = new HashSet<>();
    Set<String> named = new HashSet<>();
    Map<Long, String> processNames = new HashMap<>();
    Map<String, List<JsonNode>> flows = new HashMap<>();
    for (JsonNode e : events) {
      assertThat(e.has("ph") && e.has("pid") && e.has("tid") && e.has("name")).as(e.toString()).isTrue();
      String ph = e.get("ph").asText();
      String where = e.get("pid").asLong() + "/" + e.get("tid").asLong();
      pids.add(e.get("pid").asLong());
      switch (ph) {
        case "M" -> {
          if (e.get("name").asText().equals("process_name")) {
            processNames.put(e.get("pid").asLong(), e.get("args").get("name").asText());
          } else {
            assertThat(e.get("name").asText()).isEqualTo("thread_name");
            named.add(where);
          }
        }
        case "X", "s", "f" -> {
          used.add(where);
          double ts = e.get("ts").asDouble();
          double end = ts + (ph.equals("X") ? e.get("dur").asDouble() : 0);
          assertThat(ph.equals("X") ? e.get("dur").asDouble() : 0).as(e.toString()).isNotNegative();
          assertThat(ts).as("%s within the run", e).isBetween(before / 1000.0, after / 1000.0);
          assertThat(end).as("%s within the run", e).isBetween(before / 1000.0, after / 1000.0);
          if (!ph.equals("X")) {
            flows.computeIfAbsent(e.get("cat").asText() + "/" + e.get("name").asText() + "/" + e.get("id"),
                k -> new ArrayList<>()).add(e);
          }
        }
        default -> throw new AssertionError("unexpected phase " + ph + " in " + e);
      }
    }
    assertThat(named).as("a thread_name for every pid/tid used").containsAll(used);

    // The processes are the run's: the CLI itself and the workers the report names.
    Set<Long> reported = new HashSet<>();
    report.get("pids").forEach(p -> reported.add(p.asLong()));
    assertThat(report.get("pids").get("parent").asLong()).isEqualTo(parent);
    assertThat(pids).isEqualTo(reported);
    assertThat(processNames.get(parent)).isEqualTo("ipclab parent");
    assertThat(processNames.get(report.get("pids").get("worker-1").asLong())).isEqualTo("worker-1 (pipe)");

    // Every request reaches a worker and every reply comes back: each flow is one start and one finish.
    assertThat(flows).isNotEmpty();
    flows.forEach((id, pair) -> {
      assertThat(pair).as(id).extracting(e -> e.get("ph").asText()).containsExactlyInAnyOrder("s", "f");
      assertThat(pair.get(0).get("pid").asLong()).as(id).isNotEqualTo(pair.get(1).get("pid").asLong());
    });

    // The worker threads are the ones the demo reported: every unit it measured is a slice on that pid/tid.
    Set<String> unitThreads = new HashSet<>();
    for (JsonNode unit : report.get("evidence").get("units")) {
      String where = unit.get("pid").asLong() + "/" + unit.get("tid").asLong();
      unitThreads.add(where);
      JsonNode slice = find(events, unit.get("mode").asText(), "unit " + unit.get("unit").asInt(), where);
      assertThat(slice.get("dur").asDouble() / 1000).as("unit %s", unit)
          .isCloseTo(unit.get("end_ms").asDouble() - unit.get("start_ms").asDouble(), within(0.01));
    }
    for (JsonNode e : events) {
      if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals("task")) {
        assertThat(e.get("pid").asLong()).isNotEqualTo(parent);
        assertThat(unitThreads).as("the task thread of %s ran units too", e)
            .contains(e.get("pid").asLong() + "/" + e.get("tid").asLong());
      }
    }
    Files.delete(file);
  }

  private static JsonNode find(JsonNode events, String category, String name, String where) {
    for (JsonNode e : events) {
      if (e.get("ph").asText().equals("X") && e.get("cat").asText().equals(category)
          && e.get("name").asText().equals(name)
          && (e.get("pid").asLong() + "/" + e.get("tid").asLong()).equals(where)) {
        return e;
      }
    }
    throw new AssertionError("no slice " + name + " of " + category + " on " + where);
  }
}
