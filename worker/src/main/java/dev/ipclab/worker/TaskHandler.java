package dev.ipclab.worker;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;

/** Runs one kind of task in the worker: turns the task's payload into its result payload. */
@FunctionalInterface
public interface TaskHandler {
  /**
   * Runs the task on a task thread (never the thread that reads the channel), unless the handler
   * {@linkplain #runsInline runs inline}. A thrown exception becomes an {@code ERROR_CODE_TASK_FAILED} reply that
   * carries its message; an {@link InvalidProtocolBufferException} becomes {@code ERROR_CODE_BAD_TASK_PAYLOAD}.
   */
  ByteString handle(ByteString payload) throws Exception;

  /**
   * Whether the task runs on the thread that read it, with no hand-off to a task thread: false unless the handler
   * was made by {@link #inline}.
   */
  default boolean runsInline() {
    return false;
  }

  /**
   * A handler for a short task (microseconds: an echo, a lookup, a small computation) that runs on the thread that
   * reads the channel, so the task costs no wake-up of another thread, and the replies to a burst of tasks are
   * flushed together. The price: while it runs, the worker reads nothing else (pings, cancels, other tasks), it
   * cannot be cancelled or interrupted at its deadline, and a blocking call stalls the channel. Heartbeats are
   * sent by their own thread and keep flowing. Use it only for tasks that never block.
   */
  static TaskHandler inline(TaskHandler body) {
    return new TaskHandler() {
      @Override
      public ByteString handle(ByteString payload) throws Exception {
        return body.handle(payload);
      }

      @Override
      public boolean runsInline() {
        return true;
      }
    };
  }

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
