package dev.ipclab.worker.task;

import com.google.protobuf.ByteString;
import dev.ipclab.worker.TaskModule;
import dev.ipclab.worker.WorkerContext;
import java.nio.charset.StandardCharsets;

/**
 * Task kinds every worker has, independent of any demo: {@code echo} returns its payload, {@code sleep} waits for
 * the number of milliseconds its payload spells in ASCII and returns it, and {@code fail} throws with its payload
 * as the message, so pools, retries and error paths can be exercised without a demo. Registered like any
 * user's module, through {@code META-INF/services/dev.ipclab.worker.TaskModule} in the worker jar.
 */
public final class BuiltInTasks implements TaskModule {

  @Override
  public void start(WorkerContext registry) {
    registry.register("echo", payload -> payload);
    registry.register("sleep", payload -> {
      long millis = Long.parseLong(payload.toString(StandardCharsets.US_ASCII).trim());
      Thread.sleep(millis);
      return payload;
    });
    registry.register("fail", payload -> {
      throw new IllegalStateException(payload.isEmpty() ? "failed on request" : payload.toStringUtf8());
    });
  }

  /** The payload of a {@code sleep} task. */
  public static ByteString sleepPayload(long millis) {
    return ByteString.copyFrom(Long.toString(millis), StandardCharsets.US_ASCII);
  }
}
