package dev.ipclab.parent;

import dev.ipclab.parent.control.ControlFraming;
import dev.ipclab.proto.v1.ControlReply;
import dev.ipclab.proto.v1.ControlRequest;
import dev.ipclab.proto.v1.ErrorCode;
import dev.ipclab.proto.v1.ErrorReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The parent's control socket: a Unix domain socket that answers ControlRequests from {@code ipclab top}, for the
 * same user only. One daemon thread accepts; each client is served on its own virtual thread, so a slow or
 * hostile client never holds up the workers or another client.
 */
final class ControlServer implements AutoCloseable {
  private static final Logger log = Logger.getLogger(ControlServer.class.getName());
  private static final Duration DEFAULT_WORKER_TIMEOUT = Duration.ofMillis(500);
  private static final Duration MAX_WORKER_TIMEOUT = Duration.ofSeconds(10);

  private final Path path;
  private final ServerSocketChannel server;
  private final Supplier<List<WorkerPool>> pools;
  private final Thread acceptor;

  private ControlServer(Path path, ServerSocketChannel server, Supplier<List<WorkerPool>> pools) {
    this.path = path;
    this.server = server;
    this.pools = pools;
    this.acceptor = Thread.ofPlatform().daemon().name("ipclab-control").unstarted(this::acceptLoop);
  }

  /** Listens at {@code path} (mode 0600), replacing a stale socket file of a dead process with the same pid. */
  static ControlServer open(Path path, Supplier<List<WorkerPool>> pools) throws IOException {
    Files.deleteIfExists(path); // our pid, so any file there is a leftover of a process that is gone
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(path));
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | RuntimeException e) {
      server.close();
      Files.deleteIfExists(path);
      throw e;
    }
    ControlServer control = new ControlServer(path, server, pools);
    control.acceptor.start();
    log.fine(() -> "control socket listening at " + path);
    return control;
  }

  Path path() {
    return path;
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel client = server.accept();
        Thread.ofVirtual().name("ipclab-control-client").start(() -> serve(client));
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        log.log(Level.WARNING, "control socket " + path + ": accept failed", e);
        try {
          Thread.sleep(100); // out of descriptors, say: do not spin on it while the workers need the CPU
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void serve(SocketChannel client) {
    try (client) {
      UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
      String me = Files.getOwner(path).getName();
      InputStream in = Channels.newInputStream(client);
      OutputStream out = Channels.newOutputStream(client);
      if (!peer.user().getName().equals(me)) {
        // The file mode already keeps others out; this is the second lock, for a socket a root shell opened.
        fail(out, ErrorCode.ERROR_CODE_NOT_PERMITTED, "this control socket serves user " + me + " only, not "
            + peer.user().getName());
        return;
      }
      String name = "control client (uid of " + peer.user().getName() + ")";
      while (true) {
        ControlRequest request;
        try {
          request = ControlFraming.read(in, ControlRequest.parser(), ControlFraming.MAX_REQUEST_BYTES, name);
        } catch (IOException e) {
          fail(out, ErrorCode.ERROR_CODE_MALFORMED_FRAME, "expected a varint-delimited ControlRequest: "
              + e.getMessage());
          return;
        }
        if (request == null) {
          return;
        }
        if (!request.hasSnapshot()) {
          fail(out, ErrorCode.ERROR_CODE_UNKNOWN_KIND, "the request carries no kind this parent knows ("
              + request.getKindCase() + "); is the client newer than the parent?");
          return;
        }
        int ms = request.getSnapshot().getWorkerTimeoutMs();
        Duration timeout = ms == 0 ? DEFAULT_WORKER_TIMEOUT
            : Duration.ofMillis(Math.min(ms, MAX_WORKER_TIMEOUT.toMillis()));
        ControlFraming.write(ControlReply.newBuilder()
            .setSnapshot(ControlSnapshots.take(pools.get(), timeout)).build(), out);
      }
    } catch (IOException e) {
      log.fine(() -> "control client went away: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // A bug in a snapshot must cost one client its answer, never the parent its workers.
      log.log(Level.WARNING, "control socket " + path + ": a request failed", e);
    }
  }

  private void fail(OutputStream out, ErrorCode code, String message) {
    log.warning(() -> "control socket " + path + ": " + message);
    try {
      ControlFraming.write(ControlReply.newBuilder()
          .setError(ErrorReply.newBuilder().setCode(code).setMessage(message)).build(), out);
    } catch (IOException e) {
      // the client is gone: nobody left to tell
    }
  }

  /** Stops listening and removes the socket file. Idempotent. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      log.log(Level.FINE, "closing the control socket", e);
    }
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      log.log(Level.WARNING, "could not remove the control socket " + path, e);
    }
  }
}
