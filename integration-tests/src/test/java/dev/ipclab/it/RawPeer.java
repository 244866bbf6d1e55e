package dev.ipclab.it;

import dev.ipclab.proto.v1.ParentEnvelope;
import dev.ipclab.transport.TransportKind;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;

/** A hand-made client of the parent's worker socket: plays a broken or hostile peer, byte by byte. */
final class RawPeer implements AutoCloseable {
  private final SocketChannel channel;
  private final InputStream in;

  private RawPeer(SocketChannel channel) {
    this.channel = channel;
    this.in = Channels.newInputStream(channel);
  }

  static RawPeer connect(TransportKind kind, String endpoint) throws IOException {
    if (kind == TransportKind.UDS) {
      SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(endpoint));
      return new RawPeer(ch);
    }
    int colon = endpoint.lastIndexOf(':');
    return new RawPeer(SocketChannel.open(
        new InetSocketAddress(endpoint.substring(0, colon), Integer.parseInt(endpoint.substring(colon + 1)))));
  }

  void write(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** The next frame from the parent, or null when the parent has closed the connection. */
  ParentEnvelope read() throws IOException {
    return ParentEnvelope.parseDelimitedFrom(in);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
