package dev.ipclab.transport;

import dev.ipclab.transport.stream.StreamTransport;

/** The transport contract for {@link StreamTransport} whose readers spin before they block. */
class SpinStreamTransportConformanceTest extends StreamTransportConformanceTest {
  @Override
  IdleStrategy idle() {
    return IdleStrategy.SPIN;
  }
}
