package dev.ipclab.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The reference Python worker (examples/python-worker) as the tests run it: an interpreter that has the protobuf
 * module, protoc, and the message classes generated into integration-tests/target/python-gen by protoc, once. Where
 * any of that is missing, {@link #skipReason()} says what, and the tests skip saying so; .ci/run installs it.
 */
final class PythonWorker {
  private static final Object LOCK = new Object();
  private static PythonWorker found;
  private static String missing;

  final String python;
  final Path repo;
  final Path generated;

  private PythonWorker(String python, Path repo, Path generated) {
    this.python = python;
    this.repo = repo;
    this.generated = generated;
  }

  /** The repository root, from the CLI jar the build passed in: cli/target/ipclab-cli.jar. */
  static Path repo() {
    return ParentCli.jar("ipclab.cli.jar").getParent().getParent().getParent();
  }

  /** Null when the Python worker can run here; else why not and how to fix it. */
  static String skipReason() {
    find();
    return missing;
  }

  static PythonWorker get() {
    find();
    if (found == null) {
      throw new IllegalStateException(missing);
    }
    return found;
  }

  /** The worker command: the interpreter, then worker.py. */
  List<String> command() {
    return List.of(python, repo.resolve("examples/python-worker/worker.py").toString());
  }

  /** A broken fixture's command: the interpreter, the fixture, the reference worker's directory. */
  List<String> fixture(String name) {
    return List.of(python, repo.resolve("integration-tests/src/test/resources/broken-workers/" + name + ".py")
        .toString(), repo.resolve("examples/python-worker").toString());
  }

  /** The variables that point a worker at the generated classes. */
  Map<String, String> environment() {
    return Map.of("IPCLAB_PY_GEN", generated.toString());
  }

  private static void find() {
    synchronized (LOCK) {
      if (found != null || missing != null) {
        return;
      }
      String how = "; .ci/run installs it with: apt-get install -y python3 python3-protobuf protobuf-compiler";
      List<String> tried = new ArrayList<>();
      String python = null;
      for (String candidate : List.of("/usr/bin/python3", "python3")) {
        String out = run(List.of(candidate, "-c", "import google.protobuf; print(google.protobuf.__version__)"),
            Map.of());
        tried.add(candidate + ": " + out);
        if (out.startsWith("ok ")) {
          python = candidate;
          break;
        }
      }
      if (python == null) {
        missing = "no python3 with the protobuf module (" + String.join("; ", tried) + ")" + how;
        return;
      }
      String protoc = run(List.of("protoc", "--version"), Map.of());
      if (!protoc.startsWith("ok ")) {
        missing = "no protoc (" + protoc + ")" + how;
        return;
      }
      Path repo = repo();
      Path gen = repo.resolve("integration-tests/target/python-gen");
      String generated = run(List.of(python, repo.resolve("examples/python-worker/worker.py").toString(),
          "--generate"), Map.of("IPCLAB_PY_GEN", gen.toString()));
      if (!generated.startsWith("ok ") || !Files.exists(gen.resolve("ipclab/v1/ipclab_pb2.py"))) {
        missing = "protoc could not generate the Python classes: " + generated;
        return;
      }
      found = new PythonWorker(python, repo, gen);
    }
  }

  /** "ok <output>" if the command exits 0 within 30 s, else what went wrong. */
  private static String run(List<String> command, Map<String, String> env) {
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
      pb.environment().putAll(env);
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "did not finish within 30 s";
      }
      return p.exitValue() == 0 ? "ok " + out : "exit " + p.exitValue() + ": " + out;
    } catch (IOException e) {
      return e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
