package dev.ipclab.demos;

import dev.ipclab.demos.proto.v1.AsyncIoServeResult;

/**
 * One image server of the async-io demo, as the parent knows it: which worker process, where it listens, and
 * what it serves.
 *
 * @param number the image's position in the page, from 1
 * @param worker the worker's name, e.g. {@code worker-1}
 * @param pid the worker's process id
 * @param latencyMillis the delay the server waits before answering
 * @param served what the server reported: its port, the image's exact size and SHA-256
 */
record AsyncIoServer(int number, String worker, long pid, long latencyMillis, AsyncIoServeResult served) {

  int port() {
    return served.getPort();
  }

  String url() {
    return "http://127.0.0.1:" + port() + "/image";
  }

  String fileName() {
    return "image-" + number + ".png";
  }
}
