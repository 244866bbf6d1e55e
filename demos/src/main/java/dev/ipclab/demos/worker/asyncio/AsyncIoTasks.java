package dev.ipclab.demos.worker.asyncio;

import dev.ipclab.demos.proto.v1.AsyncIoLoad;
import dev.ipclab.demos.proto.v1.AsyncIoServe;
import dev.ipclab.demos.proto.v1.AsyncIoServeResult;
import dev.ipclab.worker.TaskHandler;
import dev.ipclab.worker.WorkerContext;

/**
 * Tasks of the async-io demo: {@code async-io.serve} makes this worker an image server, {@code async-io.load} makes
 * it the browser that loads the page of images.
 */
public final class AsyncIoTasks {
  /** This worker's one image server, alive until the worker exits. */
  private static ImageServer server;

  private AsyncIoTasks() {}

  public static void register(WorkerContext registry) {
    registry.register("async-io.serve", TaskHandler.typed(AsyncIoServe.parser(), AsyncIoTasks::serve));
    registry.register("async-io.load", TaskHandler.typed(AsyncIoLoad.parser(), PageLoader::load));
  }

  static synchronized AsyncIoServeResult serve(AsyncIoServe request) throws InterruptedException {
    if (server != null) {
      throw new IllegalStateException("this worker already serves an image on 127.0.0.1:" + server.port()
          + "; start another worker for another server");
    }
    NoisePng png = NoisePng.of(request.getSizeBytes(), request.getSeed());
    String sha256 = ImageFiles.sha256(png.bytes());
    server = ImageServer.start(png.bytes(), sha256, request.getLatencyMs());
    return AsyncIoServeResult.newBuilder()
        .setPort(server.port())
        .setSizeBytes(png.bytes().length)
        .setSha256(sha256)
        .setWidth(png.width())
        .setHeight(png.height())
        .setEventLoopTid(server.eventLoopTid())
        .build();
  }
}
