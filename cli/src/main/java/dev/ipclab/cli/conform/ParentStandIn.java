package dev.ipclab.cli.conform;

import dev.ipclab.transport.TransportKind;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The parent that {@code ipclab conform} kills with SIGKILL in its parent-killed check: a process of its own that
 * starts the worker, welcomes it and sends heartbeats, as a pool would, until it is killed. It prints one line on
 * stdout, {@code ready <worker pid>} or {@code failed <why>}. Should conform die first, its stdin reaches
 * end-of-file and it ends the worker and itself.
 *
 * <p>Arguments: {@code <transport> <handshake timeout ms> <private dir> <command>...}.
 */
public final class ParentStandIn {
  private ParentStandIn() {}

  public static void main(String[] args) throws Exception {
    TransportKind transport = TransportKind.fromCliName(args[0]);
    long handshakeMs = Long.parseLong(args[1]);
    Path dir = Path.of(args[2]);
    List<String> command = Arrays.asList(args).subList(3, args.length);
    Session.Timing timing = new Session.Timing(Waits.HEARTBEAT_INTERVAL_MS, Waits.HEARTBEAT_TIMEOUT_MS, handshakeMs);
    try (Session session = new Session(command, transport, WorkerSpawn.defaultMaxFrameBytes(), timing, dir,
        dir.resolve("worker.log"))) {
      Session.Handshake h = session.handshake();
      if (!h.ok()) {
        System.out.println("failed " + (h.problem().equals("OUT_OF_SYNC")
            ? "its stdout is not frames: " + session.stream().outOfSync() : h.problem()));
        System.out.flush();
        return;
      }
      System.out.println("ready " + session.process().pid());
      System.out.flush();
      while (System.in.read() >= 0) {
        // conform writes nothing; end-of-file means it is gone
      }
    }
  }
}
