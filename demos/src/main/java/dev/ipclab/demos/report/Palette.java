package dev.ipclab.demos.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Colours for series, given in order of first use; distinct in print as well as on screen. */
final class Palette {
  private static final List<String> COLORS = List.of("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf");
  private final Map<String, String> assigned = new LinkedHashMap<>();

  /** The colour of {@code series}, assigning the next one on first use. */
  String color(String series) {
    return assigned.computeIfAbsent(series, s -> COLORS.get(assigned.size() % COLORS.size()));
  }

  /** The legend entries, in order of first use. */
  List<Legend.Entry> legend() {
    return assigned.entrySet().stream().map(e -> new Legend.Entry(e.getKey(), e.getValue())).toList();
  }
}
