package dev.ipclab.demos.worker;

import dev.ipclab.demos.worker.web.WebTasks;
import dev.ipclab.worker.WorkerContext;

/** Tasks of the web-server demo: the server three ways, and the load generator. */
final class WebServerTasks {
  private WebServerTasks() {}

  static void register(WorkerContext registry) {
    WebTasks.register(registry);
  }
}
