package dev.ipclab.demos;

import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.TaskOutcome;
import dev.ipclab.parent.TaskSpec;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.ipclab.demos.trace.TraceRecorder;
import dev.ipclab.proto.v1.TaskResult;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Runs a typed task on a worker: a protobuf message in, a protobuf message out, with where and when it ran. */
public final class TaskCall {
  /** Long enough for the slowest demo step on a busy 2-core machine. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private TaskCall() {}

  /**
   * The reply to a task.
   *
   * @param value the handler's output
   * @param result where and when it ran (tid, thread name, start and end nanos)
   */
  public record Reply<T>(T value, TaskResult result) {
    /** The Linux TID of the worker thread that ran the task. */
    public long tid() {
      return result.getTid();
    }

    /** How long the handler ran, in the worker, in nanoseconds. */
    public long workerNanos() {
      return result.getEndNanos() - result.getStartNanos();
    }
  }

  /** Submits the task and returns at once; if a trace records this worker, the task goes into it. */
  public static <T extends Message> CompletableFuture<Reply<T>> async(PoolWorker worker, String kind,
      Message input, Parser<T> output, Duration timeout) throws InterruptedException {
    TraceRecorder trace = TraceRecorder.of(worker);
    TraceRecorder.ThreadId sender = trace != null ? trace.currentThread() : null;
    long sendNanos = System.nanoTime();
    CompletableFuture<TaskResult> submitted = worker.submit(TaskSpec.of(kind, input.toByteString()).withDeadline(timeout))
        .outcome().thenApply(TaskOutcome::result);
    long sentNanos = System.nanoTime();
    return submitted.thenApply(result -> {
      long receiveNanos = System.nanoTime();
      Reply<T> reply = decode(worker, kind, output, result);
      long decodedNanos = System.nanoTime();
      if (trace != null) {
        // The worker's times are System.nanoTime() too: CLOCK_MONOTONIC, one axis with the parent's.
        TraceRecorder.ThreadId runner = new TraceRecorder.ThreadId(worker.pid(), result.getTid());
        trace.thread(runner, result.getThreadName());
        trace.task(new TraceRecorder.Task(kind, sender, sendNanos, sentNanos, runner, result.getStartNanos(),
            result.getEndNanos(), trace.currentThread(), receiveNanos, decodedNanos));
      }
      return reply;
    });
  }

  private static <T extends Message> Reply<T> decode(PoolWorker worker, String kind, Parser<T> output,
      TaskResult result) {
    try {
      return new Reply<>(output.parseFrom(result.getPayload()), result);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new CompletionException(new IOException(worker.name() + " answered the " + kind + " task with "
          + result.getPayload().size() + " bytes that are not a " + output.getClass().getEnclosingClass()
          + ": " + e.getMessage(), e));
    }
  }

  /** Runs the task and waits for its reply, for at most {@link #DEFAULT_TIMEOUT}. */
  public static <T extends Message> Reply<T> call(PoolWorker worker, String kind, Message input,
      Parser<T> output) throws IOException, InterruptedException {
    return await(async(worker, kind, input, output, DEFAULT_TIMEOUT));
  }

  /** Waits for a reply; a failure comes out as an IOException that says which worker and task. */
  public static <T> T await(CompletableFuture<T> reply) throws IOException, InterruptedException {
    try {
      return reply.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause()
          : e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(cause.getMessage(), cause);
    }
  }
}
