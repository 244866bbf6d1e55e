package dev.ipclab.transport;

import java.util.List;

/**
 * How a transport's reading thread waits for input it polls: a trade of CPU for latency, chosen per pool. After a
 * poll that found nothing the reader calls {@link #idle()}, which waits one step and says whether to poll again or
 * to block in the kernel now; after input it calls {@link #reset()}. Like Agrona's {@code IdleStrategy}, an
 * instance keeps the state of one thread's waits: the pool's choice, {@link #BLOCK} or {@link #SPIN}, is a
 * template, and each reading thread waits with its own {@link #fresh()} copy.
 *
 * <p>Blocking lets the kernel put the reader to sleep, and a round trip then pays the wake-up of a sleeping thread
 * on another CPU (tens of microseconds here). Spinning keeps the reader on its CPU polling, which beats that floor
 * but burns a core per waiting thread; it spins, then yields, then blocks (or parks briefly, on shared memory), so
 * an idle channel does not keep a core at 100% for ever. On pipes and sockets, a spinner that shares its CPU with
 * the peer it waits for takes the time the peer needs to answer, so spinning pauses itself (and the reader blocks)
 * while replies keep coming late, and never starts on a single CPU: spin is never slower than block for long.
 */
public interface IdleStrategy {
  /** Sleep in the kernel until data arrives (read, epoll_wait, or the shared-memory doorbell). */
  IdleStrategy BLOCK = BlockingIdleStrategy.INSTANCE;
  /**
   * Busy-poll, then yield, then block (a shared-memory reader parks instead): lowest latency, one busy core per
   * waiting reader.
   */
  IdleStrategy SPIN = new SpinningIdleStrategy();

  /**
   * One idle round after a poll that found nothing: waits a little and returns true to poll again, or returns false
   * when the reader should block in the kernel instead. Keeps returning false until {@link #reset()}.
   */
  boolean idle();

  /** Agrona's form: {@code workCount > 0} (the poll found input) resets and returns true, else {@link #idle()}. */
  default boolean idle(int workCount) {
    if (workCount > 0) {
      reset();
      return true;
    }
    return idle();
  }

  /** Input arrived: the wait in progress, if any, is over, and the next one starts afresh. */
  void reset();

  /**
   * Whether {@link #idle()} can ever return true: a reader whose strategy never polls skips its non-blocking poll
   * (a system call) and blocks at once.
   */
  default boolean polls() {
    return true;
  }

  /** A strategy of the same kind with a state of its own, for one more waiting thread. */
  IdleStrategy fresh();

  /** The name used on command lines and in JSON: {@code block}, {@code spin}. */
  String cliName();

  /** The strategies a pool can be given, in the order the command line lists them. */
  static List<IdleStrategy> values() {
    return List.of(BLOCK, SPIN);
  }

  /** Parses a command-line name, case-insensitively. */
  static IdleStrategy fromCliName(String name) {
    for (IdleStrategy s : values()) {
      if (s.cliName().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown idle strategy '" + name + "'; expected block or spin");
  }
}
