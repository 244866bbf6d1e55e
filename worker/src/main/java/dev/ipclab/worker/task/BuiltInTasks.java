package dev.ipclab.worker.task;

import com.google.protobuf.ByteString;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.TaskModule;
import dev.ipclab.worker.WorkerContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Task kinds every worker has, independent of any demo: {@code echo} returns its payload (inline, on the thread
 * that read it), {@code sleep} waits for
 * the number of milliseconds its payload spells in ASCII and returns it, {@code fail} throws with its payload
 * as the message, and {@code allocate} allocates and keeps the number of MiB its payload spells (for as long as
 * the worker lives), so pools, retries, error paths and memory limits can be exercised without a demo. Registered
 * like any user's module, through {@code META-INF/services/dev.ipclab.worker.TaskModule} in the worker jar.
 */
public final class BuiltInTasks implements TaskModule {

  /** Bytes per page, the unit the kernel counts in RSS: {@code allocate} writes one byte in each. */
  private static final int PAGE = 4096;

  @Override
  public void start(WorkerContext registry) {
    // Held by this module instance, so by this worker process, never by a static field.
    List<byte[]> retained = new ArrayList<>();
    // Inline: an echo never blocks, and its answer then costs no hand-off to a task thread.
    registry.register("echo", TaskHandler.inline(payload -> payload));
    registry.register("sleep", payload -> {
      long millis = Long.parseLong(payload.toString(StandardCharsets.US_ASCII).trim());
      Thread.sleep(millis);
      return payload;
    });
    registry.register("allocate", payload -> {
      long mib = Long.parseLong(payload.toString(StandardCharsets.US_ASCII).trim());
      if (mib < 0) {
        throw new IllegalArgumentException("allocate expects a number of MiB, 0 or more, got " + mib);
      }
      for (long i = 0; i < mib; i++) {
        byte[] chunk = new byte[1024 * 1024];
        for (int at = 0; at < chunk.length; at += PAGE) {
          chunk[at] = 1; // touched, so the pages are resident whatever the JVM did to zero them
        }
        synchronized (retained) {
          retained.add(chunk);
        }
      }
      return payload;
    });
    registry.register("fail", payload -> {
      throw new IllegalStateException(payload.isEmpty() ? "failed on request" : payload.toStringUtf8());
    });
  }

  /** The payload of an {@code allocate} task that keeps {@code mib} MiB. */
  public static ByteString allocatePayload(long mib) {
    return ByteString.copyFrom(Long.toString(mib), StandardCharsets.US_ASCII);
  }

  /** The payload of a {@code sleep} task. */
  public static ByteString sleepPayload(long millis) {
    return ByteString.copyFrom(Long.toString(millis), StandardCharsets.US_ASCII);
  }
}
