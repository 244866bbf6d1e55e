package dev.ipclab.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.ipclab.parent.ExitDescription;
import dev.ipclab.parent.PoolWorker;
import dev.ipclab.parent.WorkerPool;
import dev.ipclab.parent.WorkerState;
import dev.ipclab.demos.os.ProcStatus;
import dev.ipclab.proto.v1.Pong;
import dev.ipclab.transport.TransportKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every transport: real worker JVMs, a handshake, round trips, and a clean shutdown, checked against /proc. */
@ExtendWith(NoLeftovers.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TransportIT {

  @ParameterizedTest
  @EnumSource(TransportKind.class)
  void workersAreSeparateChildProcessesThatAnswerPings(TransportKind transport) throws Exception {
    long me = ProcessHandle.current().pid();
    Path runDir;
    List<PoolWorker> workers;
    try (WorkerPool pool = Pools.builder(transport, 2).start()) {
      runDir = pool.runDirectory();
      workers = pool.workers();
      assertThat(workers).hasSize(2);
      for (PoolWorker w : workers) {
        assertThat(w.state()).isEqualTo(WorkerState.READY);
        assertThat(w.pid()).isNotEqualTo(me);
        ProcStatus status = ProcStatus.read(w.pid()).orElseThrow();
        assertThat(status.ppid()).as("PPid of %s in /proc", w.name()).isEqualTo(me);
        assertThat(w.hello().getPpid()).as("ppid the worker reports").isEqualTo(me);
        assertThat(w.hello().getPid()).isEqualTo(w.pid());
        assertThat(w.spawnToReady()).isPositive();

        List<String> cmdline = Os.cmdline(w.pid());
        assertThat(cmdline).contains("-Dipclab.role=worker", "-Dipclab.worker.id=" + w.id(),
            "-Dipclab.transport=" + transport.cliName(), "dev.ipclab.worker.WorkerMain");
        assertThat(String.join(" ", cmdline)).doesNotContainIgnoringCase("token");

        byte[] bytes = new byte[1000];
        new Random(w.id()).nextBytes(bytes);
        ByteString payload = ByteString.copyFrom(bytes);
        for (int i = 0; i < 50; i++) {
          Pong pong = w.ping(payload).get(10, TimeUnit.SECONDS);
          assertThat(pong.getPayload()).isEqualTo(payload);
          assertThat(pong.getWorkerReceiveNanos()).isBetween(pong.getParentSendNanos(), System.nanoTime());
        }
      }
      assertTransportVisibleToOs(pool);
      manyRequestsInFlightAreMatchedById(workers.getFirst());
    }
    for (PoolWorker w : workers) {
      ExitDescription exit = w.exit().getNow(null);
      assertThat(exit).as("exit of %s", w.name()).isNotNull();
      assertThat(exit.status()).as(exit.summary()).isZero();
      assertThat(w.state()).isEqualTo(WorkerState.EXITED);
      assertThat(w.handle().isAlive()).isFalse();
    }
    assertThat(runDir).doesNotExist();
    for (PoolWorker w : workers) {
      if (transport == TransportKind.SHM) {
        assertThat(w.shmFile()).as("shm file of %s after the pool closed", w.name()).doesNotExist();
      }
    }
    assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)).isEmpty();
  }

  /** 200 pings at once on one channel; every reply must land on its own request. */
  private static void manyRequestsInFlightAreMatchedById(PoolWorker w) throws Exception {
    List<CompletableFuture<Pong>> replies = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      replies.add(w.ping(ByteString.copyFromUtf8("request-" + i)));
    }
    for (int i = 0; i < replies.size(); i++) {
      assertThat(replies.get(i).get(10, TimeUnit.SECONDS).getPayload().toStringUtf8()).isEqualTo("request-" + i);
    }
  }

  private static void assertTransportVisibleToOs(WorkerPool pool) throws Exception {
    long me = ProcessHandle.current().pid();
    PoolWorker w = pool.workers().getFirst();
    List<String> mine = Os.fdTargets(me);
    switch (pool.transport()) {
      case PIPE -> {
        // The worker's stdin and stdout are pipes whose other ends this (parent) process holds.
        String stdin = Os.fdTarget(w.pid(), 0);
        String stdout = Os.fdTarget(w.pid(), 1);
        assertThat(stdin).startsWith("pipe:[");
        assertThat(stdout).startsWith("pipe:[").isNotEqualTo(stdin);
        assertThat(mine).contains(stdin, stdout);
      }
      case UDS -> {
        Path socket = Path.of(pool.endpoint());
        assertThat(socket).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())))
            .isEqualTo("rwx------");
        assertThat(Os.fdTargets(w.pid())).anyMatch(t -> t.startsWith("socket:["));
        assertThat(Os.fdTarget(w.pid(), 0)).as("stdin, watched for end of stream").startsWith("pipe:[");
      }
      case SHM -> {
        // One 0600 file per worker in /dev/shm, mapped by both processes; stdin and stdout are doorbell pipes.
        Path file = w.shmFile();
        assertThat(file).exists().hasParent(Path.of("/dev/shm"));
        assertThat(file.getFileName().toString()).startsWith("ipclab-" + me + "-");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readAllLines(Path.of("/proc/" + w.pid() + "/maps"))).as("maps of the worker")
            .anyMatch(l -> l.endsWith(file.toString()));
        assertThat(Files.readAllLines(Path.of("/proc/" + me + "/maps"))).as("maps of the parent")
            .anyMatch(l -> l.endsWith(file.toString()));
        String stdin = Os.fdTarget(w.pid(), 0);
        String stdout = Os.fdTarget(w.pid(), 1);
        assertThat(stdin).startsWith("pipe:[");
        assertThat(stdout).startsWith("pipe:[").isNotEqualTo(stdin);
        assertThat(mine).contains(stdin, stdout);
      }
      case TCP -> {
        assertThat(pool.endpoint()).startsWith("127.0.0.1:");
        assertThat(Os.fdTargets(w.pid())).anyMatch(t -> t.startsWith("socket:["));
        assertThat(Os.fdTarget(w.pid(), 0)).as("stdin, watched for end of stream").startsWith("pipe:[");
      }
    }
    // Stray output never reaches the parent: on pipes fd 1 is the protocol, and on sockets it goes to the log.
    assertThat(Files.readString(w.logFile())).contains("hello sent");
  }
}
