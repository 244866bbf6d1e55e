package dev.ipclab.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Runs {@code ipclab conform --json} as a real CLI process and reads its report. */
final class ConformRuns {
  private ConformRuns() {}

  /** The outcome of one run: the exit status, the report, and the CLI's output for messages. */
  record Run(int status, JsonNode report, String stdout, String stderr) {
    /** Check id to verdict, in report order. */
    Map<String, String> verdicts() {
      Map<String, String> v = new LinkedHashMap<>();
      report.get("checks").forEach(c -> v.put(c.get("id").asText(), c.get("verdict").asText()));
      return v;
    }

    JsonNode check(String id) {
      for (JsonNode c : report.get("checks")) {
        if (c.get("id").asText().equals(id)) {
          return c;
        }
      }
      throw new AssertionError("no check " + id + " in\n" + stdout);
    }

    /** For assertion messages: the whole report and the CLI's stderr. */
    String describe() {
      return stdout + "\nstderr:\n" + stderr;
    }
  }

  static Run conform(Map<String, String> env, String transport, List<String> command, String... options)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("conform", "--json", "--transport", transport));
    args.addAll(List.of(options));
    args.add("--");
    args.addAll(command);
    try (ParentCli cli = ParentCli.start(env, args.toArray(String[]::new))) {
      int status = cli.waitFor(150);
      JsonNode report = null;
      if (cli.stdout().startsWith("{")) {
        report = new ObjectMapper().readTree(cli.stdout());
      }
      return new Run(status, report, cli.stdout(), cli.stderr());
    }
  }

  /** The private directories conform made in the temporary directory; each run must remove its own. */
  static List<Path> conformDirectories() throws IOException {
    try (Stream<Path> list = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return list.filter(p -> p.getFileName().toString().startsWith("ipclab-conform-")).toList();
    }
  }
}
