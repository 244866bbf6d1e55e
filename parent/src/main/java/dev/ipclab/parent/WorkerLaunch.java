package dev.ipclab.parent;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a pool starts as a worker: a JVM on a class path with a main class, or any executable that speaks the
 * protocol; the environment added; the task kinds every worker must serve.
 *
 * @param classPath the worker JVM's class path in order, or null for the ipclab worker jar alone
 * @param mainClass the worker JVM's main class
 * @param command an executable and its arguments to start instead of a JVM, or null
 * @param environment variables added to each worker's environment
 * @param requiredKinds task kinds each worker must list in its hello, or the pool refuses it
 */
record WorkerLaunch(List<Path> classPath, String mainClass, List<String> command, Map<String, String> environment,
    Set<String> requiredKinds) {

  static final WorkerLaunch DEFAULT = new WorkerLaunch(null, WorkerCommand.MAIN_CLASS, null, Map.of(), Set.of());
}
