package dev.ipclab.parent;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import dev.ipclab.proto.v1.TaskResult;

/**
 * A task that succeeded: its result, and where it finally ran.
 *
 * @param attempts how many times the task was sent to a worker, from 1 (more when workers died under it)
 * @param workerId the slot of the worker that answered
 * @param workerPid the pid of the worker process that answered
 */
public record TaskOutcome(long taskId, TaskResult result, int attempts, int workerId, long workerPid) {
  /**
   * The handler's output, parsed with {@code parser}.
   *
   * @throws TaskFailedException if the output is not a message of that type
   */
  public <R extends Message> R value(Parser<R> parser) {
    try {
      return parser.parseFrom(result.getPayload());
    } catch (InvalidProtocolBufferException e) {
      Class<?> type = parser.getClass().getEnclosingClass();
      throw new TaskFailedException("task " + taskId + " on worker-" + workerId + " pid " + workerPid
          + " answered with " + result.getPayload().size() + " bytes that are not a "
          + (type != null ? type.getSimpleName() : "message of the expected type") + ": " + e.getMessage()
          + "; do the parent and the task module use the same .proto?", attempts, e);
    }
  }
}
