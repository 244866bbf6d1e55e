package dev.ipclab.demos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Thread names said briefly: a numbered run such as page-get-1 … page-get-4 becomes "page-get-1…4". */
final class ThreadNames {
  private static final Pattern NUMBERED = Pattern.compile("(.*?)(\\d+)");

  private ThreadNames() {}

  /** The names, sorted, numbered runs of three or more folded; "none" for no names. */
  static String compact(List<String> names) {
    if (names.isEmpty()) {
      return "none";
    }
    Map<String, TreeSet<Integer>> numbered = new LinkedHashMap<>();
    List<String> plain = new ArrayList<>();
    for (String name : names.stream().sorted().toList()) {
      Matcher m = NUMBERED.matcher(name);
      if (m.matches() && m.group(2).length() < 9) {
        numbered.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(Integer.parseInt(m.group(2)));
      } else {
        plain.add(name);
      }
    }
    List<String> out = new ArrayList<>();
    numbered.forEach((prefix, numbers) -> {
      boolean run = numbers.size() >= 3 && numbers.last() - numbers.first() == numbers.size() - 1;
      if (run) {
        out.add(prefix + numbers.first() + "…" + numbers.last());
      } else {
        numbers.forEach(n -> out.add(prefix + n));
      }
    });
    out.addAll(plain);
    return String.join(" ", out);
  }
}
