package dev.ipclab.worker.task;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;

/**
 * Task kinds every worker has, independent of any demo: {@code echo} returns its payload, {@code sleep} waits for
 * the number of milliseconds its payload spells in ASCII and returns it, and {@code fail} throws with its payload
 * as the message, so pools, retries and error paths can be exercised without a demo.
 */
public final class BuiltInTasks {
  private BuiltInTasks() {}

  public static void register(TaskRegistry registry) {
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
