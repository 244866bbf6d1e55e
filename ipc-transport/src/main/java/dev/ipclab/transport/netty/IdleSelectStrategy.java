package dev.ipclab.transport.netty;

import dev.ipclab.transport.IdleStrategy;
import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

/**
 * The event loop's side of an {@link IdleStrategy} that polls ({@link IdleStrategy#SPIN}): polls epoll without
 * blocking while the strategy says to since the last event, then lets the loop block in {@code epoll_wait} as
 * usual.
 *
 * <p>Netty's own {@code SelectStrategy.BUSY_WAIT} spins inside native code for as long as the channel is idle, so
 * an idle pool would keep a core at 100% for ever; with {@link IdleStrategy#SPIN} this one stops after about a
 * millisecond. One per event loop thread (Netty asks the factory once per loop), each with its own strategy.
 */
final class IdleSelectStrategy implements SelectStrategy {
  private final IdleStrategy idle;

  /** @param idle this loop's own strategy, from {@link IdleStrategy#fresh()} */
  IdleSelectStrategy(IdleStrategy idle) {
    this.idle = idle;
  }

  @Override
  public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
    int ready = selectNow.get(); // epoll_wait with a zero timeout
    if (ready > 0 || hasTasks) {
      idle.reset();
      return ready;
    }
    return idle.idle() ? ready : SelectStrategy.SELECT;
  }
}
