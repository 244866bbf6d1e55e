package dev.ipclab.worker.internal;

import dev.ipclab.worker.TaskHandler;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The task kinds a worker knows, by name; filled once at start-up and read-only afterwards. */
public final class TaskRegistry {
  private final Map<String, TaskHandler> handlers = new TreeMap<>();

  /** Adds a handler; a name may be registered once. */
  public TaskRegistry register(String kind, TaskHandler handler) {
    if (kind.isBlank()) {
      throw new IllegalArgumentException("a task kind needs a name");
    }
    if (handlers.putIfAbsent(kind, handler) != null) {
      throw new IllegalArgumentException("task kind '" + kind + "' is registered twice");
    }
    return this;
  }

  /** The handler for {@code kind}, or null. */
  TaskHandler find(String kind) {
    return handlers.get(kind);
  }

  /** Every registered kind, sorted; shown when a task names an unknown one. */
  public Set<String> kinds() {
    return java.util.Collections.unmodifiableSet(handlers.keySet());
  }
}
