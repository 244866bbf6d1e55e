package dev.ipclab.transport;

import java.util.Locale;

/**
 * How a transport's reading side waits for the next frame: a trade of CPU for latency, chosen per pool.
 *
 * <p>Blocking lets the kernel put the reader to sleep, and a round trip then pays the wake-up of a sleeping thread
 * on another CPU (tens of microseconds here). Spinning keeps the reader on its CPU polling, which beats that floor
 * but burns a core per waiting thread; it spins, then yields, then parks briefly (Aeron's back-off), so an idle
 * channel does not keep a core at 100% for ever. A spinner that shares its CPU with the peer it waits for takes
 * the time the peer needs to answer, so spinning pauses itself (and the reader blocks) while replies keep coming
 * late, and never starts on a single CPU: spin is never slower than block for long.
 */
public enum IdleStrategy {
  /** Sleep in the kernel until data arrives (read, epoll_wait, or a park for shared memory). */
  BLOCK,
  /** Busy-poll, then yield, then park for short times: lowest latency, one busy core per waiting reader. */
  SPIN;

  /** The name used on command lines and in JSON: {@code block}, {@code spin}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a command-line name, case-insensitively. */
  public static IdleStrategy fromCliName(String name) {
    for (IdleStrategy s : values()) {
      if (s.cliName().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown idle strategy '" + name + "'; expected block or spin");
  }

  @Override
  public String toString() {
    return cliName();
  }
}
