package dev.ipclab.demos.worker.web;

import dev.ipclab.demos.proto.v1.WebStopped;

/** One of the web-server demo's servers: a port on 127.0.0.1, and a close that says what it saw. */
interface WebServer {
  int port();

  /** Closes the listener and every connection; idempotent enough for one call per server. */
  WebStopped close();
}
