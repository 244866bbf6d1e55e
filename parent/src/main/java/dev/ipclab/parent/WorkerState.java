package dev.ipclab.parent;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of one worker process, as the parent sees it.
 *
 * <pre>
 *   STARTING ──handshake──▶ READY ◀──heartbeats resume── HUNG
 *      │                     │  └──────heartbeats missed──▶ │
 *      │                     ▼                              │
 *      ├───────────────▶ STOPPING ──exit after shutdown──▶ EXITED
 *      │                     │
 *      └──unexpected exit, protocol error (any live state)──▶ CRASHED
 * </pre>
 */
public enum WorkerState {
  /** Spawned; the handshake is not done yet. */
  STARTING,
  /** Handshake done; the worker answers requests. */
  READY,
  /**
   * Alive as a process, but it missed its heartbeats: stopped, stuck, or overloaded. A pool kills it at once
   * (HUNG -> STOPPING, then SIGKILL, so the exit counts as the parent's) and replaces it.
   */
  HUNG,
  /** The parent asked it to exit and is waiting for that. */
  STOPPING,
  /** It exited because the parent asked it to. */
  EXITED,
  /** It exited, was killed, or broke the protocol without being asked to stop. */
  CRASHED;

  private Set<WorkerState> next() {
    return switch (this) {
      case STARTING -> EnumSet.of(READY, STOPPING, CRASHED);
      case READY -> EnumSet.of(HUNG, STOPPING, CRASHED);
      case HUNG -> EnumSet.of(READY, STOPPING, CRASHED);
      case STOPPING -> EnumSet.of(EXITED, CRASHED);
      case EXITED, CRASHED -> EnumSet.noneOf(WorkerState.class);
    };
  }

  /** Whether the state machine allows going from this state to {@code target}. */
  public boolean canMoveTo(WorkerState target) {
    return next().contains(target);
  }

  /** Whether the process is gone for good. */
  public boolean isTerminal() {
    return this == EXITED || this == CRASHED;
  }
}
