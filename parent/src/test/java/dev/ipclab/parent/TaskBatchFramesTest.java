package dev.ipclab.parent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.TaskAnswer;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.proto.v1.WorkerEnvelope;
import dev.ipclab.transport.frame.Frames;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Packing a burst of tasks into TaskBatch frames, and a batched answer back into its single frame. */
class TaskBatchFramesTest {
  private static Task task(int payloadBytes) {
    return Task.newBuilder().setKind("echo").setPayload(ByteString.copyFrom(new byte[payloadBytes]))
        .setDeadlineMs(30_000).setAttempt(1).build();
  }

  @Test
  void smallTasksShareOneFrameInOrderWithTheirOwnIds() {
    TaskBatchFrames frames = new TaskBatchFrames(Frames.DEFAULT_MAX_FRAME_BYTES);
    for (long id = 1; id <= 100; id++) {
      assertThat(frames.add(id, task(100))).isTrue();
    }
    List<ParentEnvelope> out = frames.frames();
    assertThat(out).singleElement().satisfies(f -> {
      assertThat(f.getRequestId()).isZero();
      assertThat(f.getTaskBatch().getTasksList()).extracting(t -> t.getRequestId())
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 100).boxed().toList());
    });
    int size = out.getFirst().getSerializedSize();
    assertThat(frames.bytes()).isEqualTo(Frames.prefixBytes(size) + size);
  }

  @Test
  void noFrameExceedsTheChannelsLimitAndATaskTooLargeForABatchIsRefusedForASingleFrame() {
    int limit = 4096;
    TaskBatchFrames frames = new TaskBatchFrames(limit);
    for (long id = 1; id <= 50; id++) {
      assertThat(frames.add(id, task(300))).isTrue();
    }
    assertThat(frames.add(51, task(limit))).as("larger than a frame on its own").isFalse();
    frames.addSingle(ParentEnvelope.newBuilder().setRequestId(51).setTask(task(10)).build());
    assertThat(frames.add(52, task(300))).isTrue();

    List<ParentEnvelope> out = frames.frames();
    assertThat(out).allMatch(f -> f.getSerializedSize() <= limit);
    assertThat(out.stream().filter(ParentEnvelope::hasTaskBatch).mapToInt(f -> f.getTaskBatch().getTasksCount())
        .sum()).isEqualTo(51);
    assertThat(out).filteredOn(ParentEnvelope::hasTask).singleElement()
        .satisfies(f -> assertThat(f.getRequestId()).isEqualTo(51));
    assertThat(out.getLast().getTaskBatch().getTasks(0).getRequestId()).as("after the single one").isEqualTo(52);
  }

  @Test
  void aBatchedAnswerBecomesTheFrameItStandsFor() {
    TaskResult result = TaskResult.newBuilder().setPayload(ByteString.copyFromUtf8("out")).setTid(7).build();
    WorkerEnvelope ok = TaskBatchFrames.asEnvelope(TaskAnswer.newBuilder().setRequestId(9).setResult(result).build());
    assertThat(ok).isEqualTo(WorkerEnvelope.newBuilder().setRequestId(9).setTaskResult(result).build());

    ErrorReply error = ErrorReply.newBuilder().setCode(ErrorCode.ERROR_CODE_CANCELLED).setMessage("dropped").build();
    WorkerEnvelope failed = TaskBatchFrames.asEnvelope(TaskAnswer.newBuilder().setRequestId(10).setError(error)
        .build());
    assertThat(failed).isEqualTo(WorkerEnvelope.newBuilder().setRequestId(10).setError(error).build());
  }
}
