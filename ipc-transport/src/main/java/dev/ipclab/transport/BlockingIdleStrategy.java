package dev.ipclab.transport;

/**
 * {@link IdleStrategy#BLOCK}: never polls, so the reader blocks in the kernel at once. Keeps no state, so one
 * instance serves every thread.
 */
final class BlockingIdleStrategy implements IdleStrategy {
  static final BlockingIdleStrategy INSTANCE = new BlockingIdleStrategy();

  private BlockingIdleStrategy() {}

  @Override
  public boolean idle() {
    return false;
  }

  @Override
  public void reset() {}

  @Override
  public boolean polls() {
    return false;
  }

  @Override
  public IdleStrategy fresh() {
    return this;
  }

  @Override
  public String cliName() {
    return "block";
  }

  @Override
  public String toString() {
    return cliName();
  }
}
