package dev.ipclab.demos.trace;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChromeTraceWriterTest {
  private static final TraceRecorder.ThreadId MAIN = new TraceRecorder.ThreadId(100, 100);
  private static final TraceRecorder.ThreadId IO = new TraceRecorder.ThreadId(100, 107);
  private static final TraceRecorder.ThreadId TASK = new TraceRecorder.ThreadId(200, 213);
  private static final TraceRecorder.ThreadId UNIT = new TraceRecorder.ThreadId(200, 214);

  /** Two tasks and a unit span, at made-up but causal times, as TaskCall and a demo would record them. */
  private static TraceRecorder recorder() {
    TraceRecorder trace = new TraceRecorder();
    trace.process(100, "ipclab parent");
    trace.process(200, "worker-1 (uds)");
    trace.thread(MAIN, "main");
    trace.thread(IO, "ipclab-io-1");
    trace.thread(TASK, "ipclab-task-1");
    trace.task(new TraceRecorder.Task("echo", MAIN, 1_000_000, 1_004_000, TASK, 1_050_000, 1_750_500, IO,
        1_800_000, 1_801_250));
    trace.task(new TraceRecorder.Task("echo", MAIN, 1_005_000, 1_006_000, TASK, 1_760_000, 1_770_000, IO,
        1_802_000, 1_802_100));
    trace.span(new TraceRecorder.Span("unit 0", "threads", UNIT, 1_100_000, 1_200_000));
    trace.asyncSpan(new TraceRecorder.AsyncSpan("image 0", "async", UNIT, 1_300_000, 1_400_000));
    trace.asyncSpan(new TraceRecorder.AsyncSpan("image 1", "async", UNIT, 1_310_000, 1_390_000));
    trace.mark(new TraceRecorder.Mark("A step 1", "coroutines", TASK, 1_500_000));
    return trace;
  }

  private static List<JsonNode> events(JsonNode root, String phase) {
    List<JsonNode> found = new ArrayList<>();
    root.get("traceEvents").forEach(e -> {
      if (e.get("ph").asText().equals(phase)) {
        found.add(e);
      }
    });
    return found;
  }

  @Test
  void slicesKeepTheMeasuredTimesInMicroseconds() {
    JsonNode root = ChromeTraceWriter.toJson(recorder());

    assertThat(root.get("displayTimeUnit").asText()).isEqualTo("ms");
    List<JsonNode> slices = events(root, "X");
    assertThat(slices).hasSize(7);
    JsonNode task = slices.stream().filter(e -> e.get("cat").asText().equals("task")).findFirst().orElseThrow();
    assertThat(task.get("name").asText()).isEqualTo("echo");
    assertThat(task.get("pid").asLong()).isEqualTo(200);
    assertThat(task.get("tid").asLong()).isEqualTo(213);
    assertThat(task.get("ts").asDouble()).isEqualTo(1050.0);
    assertThat(task.get("dur").asDouble()).isEqualTo(700.5);
    assertThat(slices).extracting(e -> e.get("name").asText())
        .contains("send echo", "reply echo", "unit 0");
    for (JsonNode e : root.get("traceEvents")) {
      assertThat(e.has("name") && e.has("ph") && e.has("pid") && e.has("tid")).as(e.toString()).isTrue();
      if (!e.get("ph").asText().equals("M")) {
        assertThat(e.get("ts").asDouble()).as(e.toString()).isNotNegative();
      }
      if (e.get("ph").asText().equals("X")) {
        assertThat(e.get("dur").asDouble()).as(e.toString()).isNotNegative();
      }
    }
  }

  @Test
  void overlappingSpansAreAsyncPairsAndMarksAreThreadInstants() {
    JsonNode root = ChromeTraceWriter.toJson(recorder());

    List<JsonNode> begins = events(root, "b");
    List<JsonNode> ends = events(root, "e");
    assertThat(begins).extracting(e -> e.get("name").asText()).containsExactly("image 0", "image 1");
    assertThat(ends).extracting(e -> e.get("id").asLong())
        .containsExactlyElementsOf(begins.stream().map(e -> e.get("id").asLong()).toList())
        .doesNotHaveDuplicates();
    assertThat(begins.get(1).get("ts").asDouble()).isEqualTo(1310.0);
    assertThat(ends.get(1).get("ts").asDouble()).isEqualTo(1390.0);
    assertThat(ends.get(1).get("cat").asText()).isEqualTo("async");
    JsonNode mark = events(root, "i").getFirst();
    assertThat(mark.get("name").asText()).isEqualTo("A step 1");
    assertThat(mark.get("s").asText()).isEqualTo("t");
    assertThat(mark.get("tid").asLong()).isEqualTo(TASK.tid());
    assertThat(mark.get("ts").asDouble()).isEqualTo(1500.0);
  }

  @Test
  void everyFlowStartHasOneFinishOnTheOtherProcess() {
    JsonNode root = ChromeTraceWriter.toJson(recorder());

    List<JsonNode> starts = events(root, "s");
    List<JsonNode> finishes = events(root, "f");
    assertThat(starts).hasSize(4);
    assertThat(finishes).hasSize(4);
    Set<Long> ids = new HashSet<>();
    for (JsonNode s : starts) {
      assertThat(ids.add(s.get("id").asLong())).as("ids are unique: " + s).isTrue();
      List<JsonNode> matching = finishes.stream().filter(f -> f.get("id").equals(s.get("id"))
          && f.get("cat").equals(s.get("cat")) && f.get("name").equals(s.get("name"))).toList();
      assertThat(matching).as("finish of " + s).hasSize(1);
      JsonNode f = matching.getFirst();
      assertThat(f.get("bp").asText()).isEqualTo("e");
      assertThat(f.get("pid").asLong()).isNotEqualTo(s.get("pid").asLong());
      assertThat(f.get("ts").asDouble()).isGreaterThanOrEqualTo(s.get("ts").asDouble());
    }
    JsonNode request = starts.getFirst();
    assertThat(request.get("name").asText()).isEqualTo("request");
    assertThat(request.get("tid").asLong()).isEqualTo(MAIN.tid());
  }

  @Test
  void namesEveryProcessAndThreadUsedAndOnlyThose() {
    JsonNode root = ChromeTraceWriter.toJson(recorder());

    Set<String> used = new HashSet<>();
    Set<String> named = new HashSet<>();
    Set<Long> processes = new HashSet<>();
    for (JsonNode e : root.get("traceEvents")) {
      String where = e.get("pid").asLong() + "/" + e.get("tid").asLong();
      if (!e.get("ph").asText().equals("M")) {
        used.add(where);
      } else if (e.get("name").asText().equals("thread_name")) {
        named.add(where);
      } else {
        assertThat(e.get("name").asText()).isEqualTo("process_name");
        processes.add(e.get("pid").asLong());
      }
    }
    assertThat(named).isEqualTo(used).containsExactlyInAnyOrder("100/100", "100/107", "200/213", "200/214");
    assertThat(processes).containsExactlyInAnyOrder(100L, 200L);
    assertThat(events(root, "M")).extracting(e -> e.get("args").get("name").asText())
        .contains("ipclab parent", "worker-1 (uds)", "main", "ipclab-io-1", "ipclab-task-1", "tid 214");
  }

  @Test
  void writesAFileThatParsesBack(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("trace.json");

    ChromeTraceWriter.write(recorder(), file);

    JsonNode back = new ObjectMapper().readTree(Files.readString(file));
    assertThat(back.toString()).isEqualTo(ChromeTraceWriter.toJson(recorder()).toString());
  }
}
