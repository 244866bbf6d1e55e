package dev.ipclab.demos.worker.asyncio;

import dev.ipclab.transport.os.LinuxThreads;

/**
 * One image's body as it arrived, with when its request started, when the body was complete, and the thread that
 * read it.
 *
 * @param index the image's position in the page, from 0
 * @param startNanos System.nanoTime() when its request started
 * @param receivedNanos System.nanoTime() when the whole body had arrived
 * @param ioTid the Linux TID of the thread that read the body
 * @param ioThread that thread's Java name
 * @param body the bytes received
 */
record Download(int index, long startNanos, long receivedNanos, long ioTid, String ioThread, byte[] body) {

  /** A body that the calling thread has just finished reading. */
  static Download readHere(int index, long startNanos, byte[] body) {
    return new Download(index, startNanos, System.nanoTime(), LinuxThreads.currentTid(),
        Thread.currentThread().getName(), body);
  }
}
