package dev.ipclab.transport.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** ipclab's channels use Netty's pooled allocator, whose memory stays bounded under a fast stream. */
class EventLoopsAllocatorTest {

  @Test
  void channelsGetThePooledAllocatorUnlessNettysPropertyChoosesAnother() {
    assertThat(System.getProperty(EventLoops.ALLOCATOR_PROPERTY)).as("set by the test run itself").isNull();
    assertThat(EventLoops.allocator()).isSameAs(PooledByteBufAllocator.DEFAULT);
  }
}
