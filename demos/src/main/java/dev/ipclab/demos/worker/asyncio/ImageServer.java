package dev.ipclab.demos.worker.asyncio;

import dev.ipclab.transport.os.LinuxThreads;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * An HTTP/1.1 server on 127.0.0.1 that answers {@code GET /image} with one fixed image after a fixed latency. One
 * event-loop thread does everything; the latency is a write scheduled on that loop, so a slow answer occupies no
 * thread while it waits, and other requests are served meanwhile.
 */
public final class ImageServer implements AutoCloseable {
  static final String PATH = "/image";
  /** The header that carries the image's SHA-256, so a client can check a download without asking elsewhere. */
  static final String SHA256_HEADER = "X-Image-Sha256";
  private static final Logger log = Logger.getLogger(ImageServer.class.getName());

  private final EventLoopGroup group;
  private final Channel channel;
  private final long eventLoopTid;

  private ImageServer(EventLoopGroup group, Channel channel, long eventLoopTid) {
    this.group = group;
    this.channel = channel;
    this.eventLoopTid = eventLoopTid;
  }

  /** Binds 127.0.0.1 on a port the kernel chooses and starts serving {@code image}. */
  public static ImageServer start(byte[] image, String sha256, long latencyMillis) throws InterruptedException {
    // Daemon threads: the server lives as long as the worker and never keeps it from exiting.
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("img-server", true),
        NioIoHandler.newFactory());
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline()
                  .addLast(new HttpServerCodec()) // bytes ⇄ HTTP request head/content, response
                  .addLast(new HttpObjectAggregator(64 * 1024)) // one FullHttpRequest per request
                  .addLast(new ImageHandler(image, sha256, latencyMillis)); // waits, then answers
            }
          })
          .bind(new InetSocketAddress("127.0.0.1", 0)) // loopback only: nothing outside this machine reaches it
          .sync()
          .channel();
      long tid = group.next().submit(LinuxThreads::currentTid).get();
      ImageServer server = new ImageServer(group, channel, tid);
      log.info(() -> "image server on 127.0.0.1:" + server.port() + ", " + image.length + " bytes after "
          + latencyMillis + " ms, event loop tid " + tid);
      return server;
    } catch (InterruptedException e) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      throw e;
    } catch (Exception e) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
      throw new IllegalStateException("image server did not start: " + e.getMessage(), e);
    }
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  public long eventLoopTid() {
    return eventLoopTid;
  }

  @Override
  public void close() {
    channel.close();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
  }

  /** Answers GET /image after the latency, anything else at once with 404 or 405. */
  private static final class ImageHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final byte[] image;
    private final String sha256;
    private final long latencyMillis;

    ImageHandler(byte[] image, String sha256, long latencyMillis) {
      this.image = image;
      this.sha256 = sha256;
      this.latencyMillis = latencyMillis;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (!request.method().equals(HttpMethod.GET)) {
        answer(ctx, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.METHOD_NOT_ALLOWED));
        return;
      }
      if (!request.uri().equals(PATH)) {
        answer(ctx, new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND));
        return;
      }
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.wrappedBuffer(image));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "image/png").set(SHA256_HEADER, sha256);
      // The latency: a timer on this event loop, which meanwhile serves other connections.
      ctx.executor().schedule(() -> answer(ctx, response), latencyMillis, TimeUnit.MILLISECONDS);
    }

    /** One response per connection, then close: each image is its own connection, as in the demo's clients. */
    private static void answer(ChannelHandlerContext ctx, FullHttpResponse response) {
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.warning(() -> "image server: " + cause + " on " + ctx.channel().remoteAddress() + "; closing it");
      ctx.close();
    }
  }
}
