package dev.ipclab.demos.trace;

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
    long asyncId = 0;
    for (TraceRecorder.AsyncSpan s : trace.asyncSpans()) {
      // Overlapping spans would break a thread's stack of slices; async slices get a track of their own.
      used.add(s.thread());
      long id = ++asyncId;
      timed(events, "b", s.name(), s.category(), s.thread(), s.startNanos()).put("id", id);
      timed(events, "e", s.name(), s.category(), s.thread(), s.endNanos()).put("id", id);
    }
    for (TraceRecorder.Mark m : trace.marks()) {
      used.add(m.thread());
      timed(events, "i", m.name(), m.category(), m.thread(), m.nanos()).put("s", "t");
    }
    metadata(events, trace, used);
    root.put("displayTimeUnit", "ms");
    return root;
  }

  private static void complete(ArrayNode events, String name, String category, TraceRecorder.ThreadId thread,
      long startNanos, long endNanos) {
    timed(events, "X", name, category, thread, startNanos).put("dur", micros(endNanos - startNanos));
  }

  private static ObjectNode timed(ArrayNode events, String phase, String name, String category,
      TraceRecorder.ThreadId thread, long nanos) {
    ObjectNode e = event(events, phase, name, thread);
    e.put("cat", category);
    e.put("ts", micros(nanos));
    return e;
  }

  private static void flow(ArrayNode events, String phase, String name, long id, TraceRecorder.ThreadId thread,
      long nanos) {
    ObjectNode e = timed(events, phase, name, FLOW_CATEGORY, thread, nanos).put("id", id);
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
