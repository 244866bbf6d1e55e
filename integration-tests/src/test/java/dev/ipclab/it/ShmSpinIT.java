package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerFailedException;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.transport.IdleStrategy;
import dev.ipclab.transport.TransportKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shm transport with spinning readers, whose doorbells only report a peer's end: frames of every size cross,
 * and a SIGKILLed worker is still detected, with its shm file removed.
 */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ShmSpinIT {

  @Test
  void spinningShmWorkersAnswerAndTheirDeathIsDetected() throws Exception {
    try (WorkerPool pool = Pools.builder(TransportKind.SHM, 2).idle(IdleStrategy.SPIN).start()) {
      assertThat(pool.idle()).isEqualTo(IdleStrategy.SPIN);
      PoolWorker victim = pool.worker(1);
      PoolWorker survivor = pool.worker(2);
      assertThat(Os.cmdline(victim.pid())).contains("-Dipclab.idle=spin", "-Dipclab.transport=shm");

      // Bursts that fill the 1 MiB ring many times over, and one frame of 3 MiB, larger than the ring itself.
      List<CompletableFuture<Pong>> replies = new ArrayList<>();
      ByteString kib64 = ByteString.copyFrom(new byte[64 * 1024]);
      for (int i = 0; i < 100; i++) {
        replies.add(victim.ping(kib64));
      }
      ByteString mib3 = ByteString.copyFrom(new byte[3 << 20]);
      replies.add(victim.ping(mib3));
      for (CompletableFuture<Pong> reply : replies) {
        assertThat(reply.get(30, TimeUnit.SECONDS).getPayload().size()).isIn(64 * 1024, 3 << 20);
      }

      Path file = victim.shmFile();
      assertThat(file).exists();
      Os.kill("KILL", victim.pid());
      assertThat(victim.exit().get(10, TimeUnit.SECONDS).signal()).isEqualTo(9);
      assertThat(victim.state()).isEqualTo(WorkerState.CRASHED);
      assertThat(file).as("shm file of a crashed worker").doesNotExist();
      assertThatThrownBy(() -> victim.ping(ByteString.EMPTY).get(5, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).cause().isInstanceOf(WorkerFailedException.class);
      assertThat(survivor.ping(ByteString.copyFromUtf8("still here")).get(5, TimeUnit.SECONDS)
          .getPayload().toStringUtf8()).isEqualTo("still here");
    }
  }
}
