package dev.ipclab.parent.trace;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link TraceRecorder}'s timeline in the Chrome Trace Event format, which Perfetto and chrome://tracing
 * open as is. Processes and threads are the real PIDs and Linux TIDs; {@code ts} is the absolute
 * CLOCK_MONOTONIC time in microseconds, so every number in the file is one the run measured.
 *
 * <pre>
 *   parent, sending thread    [send kind]
 *                             s(request)
 *                                  \
 *   worker, task thread             [======= kind =======]
 *                                   f(request)   s(reply)
 *                                                     \
 *   parent, receiving thread                           [reply kind]
 *                                                      f(reply)
 * </pre>
 */
public final class ChromeTraceWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String FLOW_CATEGORY = "ipc";

  private ChromeTraceWriter() {}

  /** Writes the trace to {@code file}, replacing it. */
  public static void write(TraceRecorder trace, Path file) throws IOException {
    JSON.writeValue(file.toFile(), toJson(trace));
  }

  /** The trace as a {@code {"traceEvents": [...], "displayTimeUnit": "ms"}} object. */
  public static ObjectNode toJson(TraceRecorder trace) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode events = root.putArray("traceEvents");
    Set<TraceRecorder.ThreadId> used = new LinkedHashSet<>();
    long flowId = 0;
    for (TraceRecorder.Task t : trace.tasks()) {
      used.add(t.sender());
      used.add(t.worker());
      used.add(t.receiver());
      complete(events, "send " + t.kind(), "parent", t.sender(), t.sendNanos(), t.sentNanos());
      complete(events, t.kind(), "task", t.worker(), t.startNanos(), t.endNanos());
      complete(events, "reply " + t.kind(), "parent", t.receiver(), t.receiveNanos(), t.decodedNanos());
      // A flow event binds to the slice it lies in: "s" always, "f" because of bp "e".
      long request = ++flowId;
      flow(events, "s", "request", request, t.sender(), t.sendNanos());
      flow(events, "f", "request", request, t.worker(), t.startNanos());
      long reply = ++flowId;
      flow(events, "s", "reply", reply, t.worker(), t.endNanos());
      flow(events, "f", "reply", reply, t.receiver(), t.receiveNanos());
    }
    for (TraceRecorder.Span s : trace.spans()) {
      used.add(s.thread());
      complete(events, s.name(), s.category(), s.thread(), s.startNanos(), s.endNanos());
    }
    metadata(events, trace, used);
    root.put("displayTimeUnit", "ms");
    return root;
  }

  private static void complete(ArrayNode events, String name, String category, TraceRecorder.ThreadId thread,
      long startNanos, long endNanos) {
    ObjectNode e = event(events, "X", name, thread);
    e.put("cat", category);
    e.put("ts", micros(startNanos));
    e.put("dur", micros(endNanos - startNanos));
  }

  private static void flow(ArrayNode events, String phase, String name, long id, TraceRecorder.ThreadId thread,
      long nanos) {
    ObjectNode e = event(events, phase, name, thread);
    e.put("cat", FLOW_CATEGORY);
    e.put("id", id);
    e.put("ts", micros(nanos));
    if (phase.equals("f")) {
      e.put("bp", "e");
    }
  }

  /** Names every process and thread that an event uses, falling back to the TID for an unnamed thread. */
  private static void metadata(ArrayNode events, TraceRecorder trace, Set<TraceRecorder.ThreadId> used) {
    Map<Long, String> processes = trace.processNames();
    Map<TraceRecorder.ThreadId, String> threads = trace.threadNames();
    Set<Long> pids = new LinkedHashSet<>();
    for (TraceRecorder.ThreadId id : used) {
      if (pids.add(id.pid())) {
        event(events, "M", "process_name", id).putObject("args")
            .put("name", processes.getOrDefault(id.pid(), "pid " + id.pid()));
      }
      event(events, "M", "thread_name", id).putObject("args")
          .put("name", threads.getOrDefault(id, "tid " + id.tid()));
    }
  }

  private static ObjectNode event(ArrayNode events, String phase, String name, TraceRecorder.ThreadId thread) {
    ObjectNode e = events.addObject();
    e.put("name", name);
    e.put("ph", phase);
    e.put("pid", thread.pid());
    e.put("tid", thread.tid());
    return e;
  }

  /** Nanoseconds to the format's microseconds, keeping the nanoseconds as the fraction. */
  private static double micros(long nanos) {
    return nanos / 1000.0;
  }
}
