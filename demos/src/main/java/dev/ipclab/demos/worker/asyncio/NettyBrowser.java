package dev.ipclab.demos.worker.asyncio;

import dev.ipclab.transport.LinuxThreads;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A non-blocking HTTP client on ONE event-loop thread: every connection is registered with that thread's
 * selector, so all requests are in flight at once and no thread waits for any one of them. Each callback records
 * its thread's TID, so the demo can count the threads that did network IO.
 */
final class NettyBrowser implements AutoCloseable {
  static final String LOOP_THREAD = "page-loop";
  private static final int MAX_BODY = 64 << 20;

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
      new DefaultThreadFactory(LOOP_THREAD, true) {
        @Override
        protected Thread newThread(Runnable r, String name) {
          return super.newThread(r, LOOP_THREAD); // one loop: no pool and thread numbers in its name
        }
      }, NioIoHandler.newFactory());
  private final Set<Long> callbackTids = ConcurrentHashMap.newKeySet();

  /**
   * Starts GET {@code url} and returns at once.
   *
   * @param sent completed when the request has been written to the socket
   * @return completed with the body, on the event-loop thread
   */
  CompletableFuture<Download> get(int index, String url, CompletableFuture<Void> sent) {
    CompletableFuture<Download> body = new CompletableFuture<>();
    URI uri = URI.create(url);
    long start = System.nanoTime();
    ChannelFuture connect = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline()
                .addLast(new HttpClientCodec()) // request out, response head/content in
                .addLast(new HttpObjectAggregator(MAX_BODY)) // one FullHttpResponse per response
                .addLast(new BodyHandler(index, url, start, body)); // completes the future
          }
        })
        .connect(uri.getHost(), uri.getPort());
    connect.addListener((ChannelFuture connected) -> {
      callbackTids.add(LinuxThreads.currentTid());
      if (!connected.isSuccess()) {
        body.completeExceptionally(new IOException("could not connect to " + url, connected.cause()));
        sent.completeExceptionally(connected.cause());
        return;
      }
      FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri.getRawPath());
      request.headers().set(HttpHeaderNames.HOST, uri.getHost() + ":" + uri.getPort())
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      connected.channel().writeAndFlush(request).addListener((ChannelFuture written) -> {
        callbackTids.add(LinuxThreads.currentTid());
        if (written.isSuccess()) {
          sent.complete(null);
        } else {
          sent.completeExceptionally(written.cause());
          body.completeExceptionally(new IOException("could not send GET " + url, written.cause()));
        }
      });
    });
    return body;
  }

  /** The distinct TIDs that ran a connect, write or read callback so far. */
  Set<Long> callbackTids() {
    return Set.copyOf(callbackTids);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Takes the one response of its connection. */
  private final class BodyHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final int index;
    private final String url;
    private final long start;
    private final CompletableFuture<Download> body;

    BodyHandler(int index, String url, long start, CompletableFuture<Download> body) {
      this.index = index;
      this.url = url;
      this.start = start;
      this.body = body;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      callbackTids.add(LinuxThreads.currentTid());
      if (!response.status().equals(HttpResponseStatus.OK)) {
        body.completeExceptionally(new IOException("GET " + url + " answered " + response.status()));
      } else {
        body.complete(Download.readHere(index, start, ByteBufUtil.getBytes(response.content())));
      }
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      body.completeExceptionally(new IOException("the server of " + url + " closed before a whole response"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      body.completeExceptionally(new IOException("GET " + url + " failed: " + cause.getMessage(), cause));
      ctx.close();
    }
  }
}
