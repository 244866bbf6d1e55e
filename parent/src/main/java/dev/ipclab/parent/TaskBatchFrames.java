package dev.ipclab.parent;

import com.google.protobuf.CodedOutputStream;
import dev.ipclab.proto.v1.BatchedTask;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.TaskAnswer;
import dev.ipclab.proto.v1.TaskBatch;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.frame.Frames;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs a burst of tasks into {@link TaskBatch} frames for a worker that reads them, each frame at most
 * {@value #MAX_BATCH_BYTES} bytes (or the channel's frame limit, if lower), and turns a batched answer back into
 * the envelope its single frame would have been. One instance packs one burst.
 *
 * <pre>
 *   tasks:   [id 7, Task] [id 8, Task] ... [id 70, Task]          (one BatchedTask each)
 *   frames:  varint len | ParentEnvelope{request_id 0, task_batch{tasks: 7..70}}
 * </pre>
 */
final class TaskBatchFrames {
  /**
   * The largest batch frame: big enough that a burst of small tasks costs a handful of frames, small enough that
   * the worker starts on a batch soon and a batch never nears a frame limit.
   */
  static final int MAX_BATCH_BYTES = 1 << 20;
  /** Room for the envelope's and the batch's own tags and lengths around the tasks. */
  private static final int ENVELOPE_OVERHEAD = 16;

  private final int budget;
  private final List<ParentEnvelope> frames = new ArrayList<>();
  private TaskBatch.Builder open;
  private int openBytes;
  private long bytes;

  /** @param maxFrameBytes the channel's frame limit, without the length prefix */
  TaskBatchFrames(int maxFrameBytes) {
    this.budget = Math.min(maxFrameBytes, MAX_BATCH_BYTES) - ENVELOPE_OVERHEAD;
  }

  /** Adds task {@code requestId} to the open batch; false if it alone is too large for a batch frame. */
  boolean add(long requestId, Task task) {
    BatchedTask entry = BatchedTask.newBuilder().setRequestId(requestId).setTask(task).build();
    int size = entry.getSerializedSize();
    int inBatch = 1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size; // its tag, length and bytes
    if (inBatch > budget) {
      return false;
    }
    if (open != null && openBytes + inBatch > budget) {
      close();
    }
    if (open == null) {
      open = TaskBatch.newBuilder();
      openBytes = 0;
    }
    open.addTasks(entry);
    openBytes += inBatch;
    return true;
  }

  /** Adds a frame of its own (a single task too large for a batch), after the batches so far. */
  void addSingle(ParentEnvelope envelope) {
    close();
    append(envelope);
  }

  /** The frames, in order; the open batch is closed. */
  List<ParentEnvelope> frames() {
    close();
    return frames;
  }

  /** Bytes of the frames so far, length prefixes included. */
  long bytes() {
    return bytes;
  }

  private void close() {
    if (open != null) {
      append(ParentEnvelope.newBuilder().setTaskBatch(open).build());
      open = null;
    }
  }

  private void append(ParentEnvelope envelope) {
    frames.add(envelope);
    int size = envelope.getSerializedSize();
    bytes += Frames.prefixBytes(size) + size;
  }

  /** The single frame that {@code answer} stands for: a TaskResult or an ErrorReply with the task's id. */
  static WorkerEnvelope asEnvelope(TaskAnswer answer) {
    WorkerEnvelope.Builder envelope = WorkerEnvelope.newBuilder().setRequestId(answer.getRequestId());
    return (answer.hasResult() ? envelope.setTaskResult(answer.getResult()) : envelope.setError(answer.getError()))
        .build();
  }
}
