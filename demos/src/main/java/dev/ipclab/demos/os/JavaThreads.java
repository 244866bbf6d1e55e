package dev.ipclab.demos.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Java names of a JVM's threads by kernel thread id, from {@code jcmd <pid> Thread.print}: each thread's line
 * carries {@code nid=}, the TID (in hex, {@code 0x1a2b}, before JDK 19; in decimal after).
 */
public final class JavaThreads {
  private static final String HINT = "jcmd comes with a JDK (not a JRE): install a JDK 25, e.g. Temurin 25";
  private static final Pattern THREAD = Pattern.compile("^\"(.*)\" .*\\bnid=(0x[0-9a-fA-F]+|\\d+)\\b");

  private JavaThreads() {}

  /** The jcmd of the JDK this JVM runs on, else the one on PATH: it must be able to attach to a Java 25. */
  public static String jcmd() {
    Path own = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    return Files.isExecutable(own) ? own.toString() : "jcmd";
  }

  /** Java thread names of {@code pid} by TID; an IOException if jcmd is missing, fails or takes too long. */
  public static Map<Long, String> names(long pid, long timeoutMillis) throws IOException {
    return parse(OsCommand.run(List.of(jcmd(), Long.toString(pid), "Thread.print"), timeoutMillis, HINT));
  }

  static Map<Long, String> parse(String threadDump) {
    Map<Long, String> names = new HashMap<>();
    for (String line : threadDump.split("\n")) {
      Matcher m = THREAD.matcher(line);
      if (m.find()) {
        String nid = m.group(2);
        long tid = nid.startsWith("0x") ? Long.parseLong(nid.substring(2), 16) : Long.parseLong(nid);
        names.put(tid, m.group(1));
      }
    }
    return names;
  }
}
