package dev.ipclab.parent;

import com.google.protobuf.ByteString;
import java.time.Duration;
import java.util.Objects;

/**
 * What a caller asks the {@link WorkerPool} to run: a task kind the workers know, its payload, a deadline counted
 * from submission (over every attempt), whether the task may run again on another worker if its worker dies, and
 * which worker may run it.
 *
 * <p>Defaults of {@link #of}: a deadline of 30 s, retryable, any worker.
 *
 * @param retryable false for a task that must not run twice (it has side effects): it fails at once, with the
 *     decoded exit, when its worker dies
 * @param workerId 0 to let the pool pick the least busy ready worker; otherwise the id (from 1) of the only
 *     worker slot that may run the task (see {@link #onWorker})
 */
public record TaskSpec(String kind, ByteString payload, Duration deadline, boolean retryable, int workerId) {
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
    if (workerId < 0) {
      throw new IllegalArgumentException("a task's worker id is 0 (any worker) or a slot id from 1, got "
          + workerId);
    }
  }

  /** A task any worker may run. */
  public TaskSpec(String kind, ByteString payload, Duration deadline, boolean retryable) {
    this(kind, payload, deadline, retryable, 0);
  }

  /** A retryable task for any worker, with a deadline of 30 s. */
  public static TaskSpec of(String kind, ByteString payload) {
    return new TaskSpec(kind, payload, DEFAULT_DEADLINE, true, 0);
  }

  public TaskSpec withDeadline(Duration d) {
    return new TaskSpec(kind, payload, d, retryable, workerId);
  }

  /** The same task, but it never runs a second time: its worker's death fails it. */
  public TaskSpec notRetryable() {
    return new TaskSpec(kind, payload, deadline, false, workerId);
  }

  /**
   * The same task, pinned to worker slot {@code id} (from 1, as in {@link WorkerPool#worker(int)}): the pool
   * routes it to that slot's current process only, when it has room, with the same guarantees as any task
   * (exactly one outcome, the deadline, cancel). While the slot is full, restarting or being recycled, the task
   * waits in the queue. A pinned task is never retried on another worker: if its worker dies under it, it fails
   * with the decoded exit, as a task that is not retryable does.
   */
  public TaskSpec onWorker(int id) {
    if (id < 1) {
      throw new IllegalArgumentException("worker ids start at 1, got " + id);
    }
    return new TaskSpec(kind, payload, deadline, retryable, id);
  }

  /** Whether the task is pinned to one worker slot ({@link #onWorker}). */
  public boolean pinned() {
    return workerId != 0;
  }
}
