package dev.ipclab.transport;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.proto.v1.Ping;
import dev.ipclab.proto.v1.Task;
import dev.ipclab.proto.v1.TaskResult;
import dev.ipclab.proto.v1.WorkerEnvelope;

/** The messages the codec benchmarks push through: the hot path's three kinds, at a chosen payload size. */
public enum CodecMessages {
  /** ParentEnvelope carrying a Ping, parent to worker. */
  PING {
    @Override
    MessageLite build(ByteString payload) {
      return ParentEnvelope.newBuilder()
          .setRequestId(123_456)
          .setPing(Ping.newBuilder().setPayload(payload).setParentSendNanos(System.nanoTime()))
          .build();
    }
  },
  /** ParentEnvelope carrying a Task, parent to worker. */
  TASK {
    @Override
    MessageLite build(ByteString payload) {
      return ParentEnvelope.newBuilder()
          .setRequestId(123_456)
          .setTask(Task.newBuilder().setKind("echo").setPayload(payload).setDeadlineMs(30_000).setAttempt(1))
          .build();
    }
  },
  /** WorkerEnvelope carrying a TaskResult, worker to parent. */
  TASK_RESULT {
    @Override
    MessageLite build(ByteString payload) {
      long now = System.nanoTime();
      return WorkerEnvelope.newBuilder()
          .setRequestId(123_456)
          .setTaskResult(TaskResult.newBuilder().setPayload(payload).setStartNanos(now).setEndNanos(now + 1_000)
              .setTid(4242).setThreadName("ipclab-task-1"))
          .build();
    }

    @Override
    Parser<? extends MessageLite> parser() {
      return WorkerEnvelope.parser();
    }

    @Override
    MessageLite prototype() {
      return WorkerEnvelope.getDefaultInstance();
    }
  };

  abstract MessageLite build(ByteString payload);

  /** The parser of the envelope this message travels in. */
  Parser<? extends MessageLite> parser() {
    return ParentEnvelope.parser();
  }

  MessageLite prototype() {
    return ParentEnvelope.getDefaultInstance();
  }

  /** A payload of {@code bytes} bytes that are not all zero (zeros would not change the size, but be honest). */
  static ByteString payload(int bytes) {
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      b[i] = (byte) (i * 31 + 7);
    }
    return ByteString.copyFrom(b);
  }
}
