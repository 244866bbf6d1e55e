package dev.ipclab.worker;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;

/** Runs one kind of task in the worker: turns the task's payload into its result payload. */
@FunctionalInterface
public interface TaskHandler {
  /**
   * Runs the task on a task thread (never the thread that reads the channel). A thrown exception becomes an
   * {@code ERROR_CODE_TASK_FAILED} reply that carries its message; an {@link InvalidProtocolBufferException}
   * becomes {@code ERROR_CODE_BAD_TASK_PAYLOAD}.
   */
  ByteString handle(ByteString payload) throws Exception;

  /** A handler whose input and output are protobuf messages. */
  static <I extends Message> TaskHandler typed(Parser<I> parser, Typed<I> body) {
    return payload -> body.handle(parser.parseFrom(payload)).toByteString();
  }

  /** The body of a {@link #typed} handler. */
  @FunctionalInterface
  interface Typed<I> {
    Message handle(I input) throws Exception;
  }
}
