package dev.ipclab.transport;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

/**
 * The event loop's side of {@link IdleStrategy#SPIN}: polls epoll without blocking while the {@link SpinBackoff}
 * budget lasts since the last event, then lets the loop block in {@code epoll_wait} as usual.
 *
 * <p>Netty's own {@code SelectStrategy.BUSY_WAIT} spins inside native code for as long as the channel is idle, so
 * an idle pool would keep a core at 100% for ever; this one stops after about a millisecond. One per event loop
 * thread (Netty asks the factory once per loop).
 */
final class SpinSelectStrategy implements SelectStrategy {
  private final SpinBackoff backoff;

  SpinSelectStrategy() {
    this(new SpinBackoff());
  }

  SpinSelectStrategy(SpinBackoff backoff) {
    this.backoff = backoff;
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    int ready = selectNow.get(); // epoll_wait with a zero timeout
    if (ready > 0 || hasTasks) {
      backoff.reset();
      return ready;
    }
    return backoff.idle() ? ready : SelectStrategy.SELECT;
  }
}
