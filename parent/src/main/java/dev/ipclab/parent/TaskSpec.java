package dev.ipclab.parent;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Objects;

/**
 * What a caller asks the {@link WorkerPool} to run: a task kind the workers know, its payload, a deadline counted
 * from submission (over every attempt), and whether the task may run again on another worker if its worker dies.
 *
 * @param retryable false for a task that must not run twice (it has side effects): it fails at once, with the
 *     decoded exit, when its worker dies
 */
public record TaskSpec(String kind, ByteString payload, Duration deadline, boolean retryable) {
  /** The deadline of {@link #of}. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

  public TaskSpec {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(deadline, "deadline");
    if (kind.isBlank()) {
      throw new IllegalArgumentException("a task needs a kind, such as \"echo\" or \"sleep\"; got a blank one");
    }
    if (deadline.isNegative() || deadline.isZero()) {
      throw new IllegalArgumentException("a task's deadline must be positive, got " + deadline.toMillis() + " ms");
    }
  }

  /** A retryable task with a deadline of 30 s. */
  public static TaskSpec of(String kind, ByteString payload) {
    return new TaskSpec(kind, payload, DEFAULT_DEADLINE, true);
  }

  public TaskSpec withDeadline(Duration d) {
    return new TaskSpec(kind, payload, d, retryable);
  }

  /** The same task, but it never runs a second time: its worker's death fails it. */
  public TaskSpec notRetryable() {
    return new TaskSpec(kind, payload, deadline, false);
  }
}
