package dev.ipclab.worker.internal;

import dev.ipclab.proto.v1.BatchedTask;
import dev.ipclab.proto.v1.TaskAnswer;
import dev.ipclab.proto.v1.TaskBatch;
import dev.ipclab.proto.v1.TaskResultBatch;
import dev.ipclab.proto.v1.WorkerEnvelope;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Runs the tasks of a {@link TaskBatch} frame: the short ones (whose handlers {@linkplain
 * dev.ipclab.worker.TaskHandler#runsInline run inline}) here, one after another, with their answers gathered into
 * {@link TaskResultBatch} frames of about {@value #CHUNK_BYTES} bytes; every other one handed to the
 * {@link TaskRunner} as a single task would be, so a long task never holds up the thread that reads the channel.
 */
public final class TaskBatchRunner {
  /**
   * An answer frame goes out once it holds this many bytes: the parent starts on the first answers while the rest
   * run, and a frame stays far below any sane frame limit. An answer larger than this goes out on its own.
   */
  static final int CHUNK_BYTES = 64 * 1024;

  private static final Logger log = Logger.getLogger(TaskBatchRunner.class.getName());

  private final TaskRunner runner;
  private final Consumer<WorkerEnvelope> reply;

  /** @param reply sends one envelope to the parent; must be safe to call from several threads */
  public TaskBatchRunner(TaskRunner runner, Consumer<WorkerEnvelope> reply) {
    this.runner = runner;
    this.reply = reply;
  }

  /** Runs or starts every task of {@code batch}, in order; each gets exactly one answer. */
  public void run(TaskBatch batch) {
    long readNanos = System.nanoTime();
    TaskResultBatch.Builder chunk = TaskResultBatch.newBuilder();
    int bytes = 0;
    try {
      for (BatchedTask t : batch.getTasksList()) {
        TaskAnswer answer = runner.runBatched(t.getRequestId(), t.getTask(), readNanos);
        if (answer == null) {
          continue; // on a task thread: it is answered on its own
        }
        int size = answer.getSerializedSize();
        if (size >= CHUNK_BYTES) {
          send(single(answer));
          continue;
        }
        if (bytes + size > CHUNK_BYTES) {
          send(chunk);
          chunk = TaskResultBatch.newBuilder();
          bytes = 0;
        }
        chunk.addAnswers(answer);
        bytes += size + 4; // the answer's tag and length in the chunk
      }
    } finally {
      // Also when a handler threw an Error: the answers gathered so far are owed all the same.
      if (chunk.getAnswersCount() > 0) {
        send(chunk);
      }
    }
  }

  private void send(TaskResultBatch.Builder chunk) {
    send(WorkerEnvelope.newBuilder().setTaskResultBatch(chunk).build());
  }

  /** The envelope a task not in a batch would be answered with. */
  private static WorkerEnvelope single(TaskAnswer answer) {
    WorkerEnvelope.Builder envelope = WorkerEnvelope.newBuilder().setRequestId(answer.getRequestId());
    return (answer.hasResult() ? envelope.setTaskResult(answer.getResult()) : envelope.setError(answer.getError()))
        .build();
  }

  /**
   * Sends answers; a send to a parent that does not read fails after its wait limit, and the answers are then
   * lost, and said so here (the parent's own deadlines fail the tasks).
   */
  private void send(WorkerEnvelope envelope) {
    try {
      reply.accept(envelope);
    } catch (RuntimeException e) {
      log.warning(() -> "answers to batched tasks were not sent: " + e.getMessage());
    }
  }
}
