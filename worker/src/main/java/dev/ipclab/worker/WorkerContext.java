package dev.ipclab.worker;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.util.Optional;

/** What a {@link TaskModule} is given at start: where to register its kinds, and facts about its worker. */
public interface WorkerContext {

  /** This worker's id in its pool (1 or more), as the parent assigned it. */
  int workerId();

  /**
   * Adds a task kind; a kind may be registered once per worker.
   *
   * @throws IllegalArgumentException if the name is blank or already registered
   */
  WorkerContext register(String kind, TaskHandler handler);

  /** Adds a task kind whose input and output are protobuf messages. */
  default <I extends Message> WorkerContext register(String kind, Parser<I> parser, TaskHandler.Typed<I> body) {
    return register(kind, TaskHandler.typed(parser, body));
  }

  /**
   * Hooks that break this worker on purpose, for fault-injection harnesses such as {@code ipclab chaos}. Present
   * only in a worker started with {@code -Dipclab.chaos.run=<marker>}; empty in every other worker, so no parent
   * can break an ordinary worker this way.
   */
  Optional<FaultHooks> faultHooks();
}
