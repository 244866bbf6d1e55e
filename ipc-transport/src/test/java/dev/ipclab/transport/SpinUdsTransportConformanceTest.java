package dev.ipclab.transport;

/** The transport contract for {@code uds} on event loops that spin before they block. */
class SpinUdsTransportConformanceTest extends UdsTransportConformanceTest {
  @Override
  IdleStrategy idle() {
    return IdleStrategy.SPIN;
  }
}
