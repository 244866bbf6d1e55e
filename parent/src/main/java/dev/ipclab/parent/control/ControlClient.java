package dev.ipclab.parent.control;

import dev.ipclab.proto.v1.ControlReply;
import dev.ipclab.proto.v1.ControlRequest;
import dev.ipclab.proto.v1.ControlSnapshot;
import dev.ipclab.proto.v1.SnapshotRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/** A connection to a running parent's control socket, asking it for snapshots. */
public final class ControlClient implements AutoCloseable {
  private final Path path;
  private final SocketChannel channel;
  private final InputStream in;
  private final OutputStream out;

  private ControlClient(Path path, SocketChannel channel) {
    this.path = path;
    this.channel = channel;
    this.in = Channels.newInputStream(channel);
    this.out = Channels.newOutputStream(channel);
  }

  /** Connects to the control socket at {@code path}. */
  public static ControlClient connect(Path path) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(path));
    } catch (IOException e) {
      channel.close();
      throw new IOException("cannot connect to the parent's control socket " + path + ": " + e.getMessage()
          + ". Is the parent still running, and was it started by this user?", e);
    }
    return new ControlClient(path, channel);
  }

  /** Asks for a snapshot; each worker gets {@code workerTimeout} to report its status. */
  public ControlSnapshot snapshot(Duration workerTimeout) throws IOException {
    ControlFraming.write(ControlRequest.newBuilder()
        .setSnapshot(SnapshotRequest.newBuilder().setWorkerTimeoutMs((int) workerTimeout.toMillis())).build(), out);
    ControlReply reply = ControlFraming.read(in, ControlReply.parser(), ControlFraming.MAX_REPLY_BYTES,
        "the parent at " + path);
    if (reply == null) {
      throw new IOException("the parent closed its control socket " + path + " without answering; it may be"
          + " stopping");
    }
    if (reply.hasError()) {
      throw new IOException("the parent refused the snapshot request (" + reply.getError().getCode() + "): "
          + reply.getError().getMessage());
    }
    return reply.getSnapshot();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
