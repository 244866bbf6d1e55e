package dev.ipclab.demos;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A table of measurements: named columns (each with its unit in the name, e.g. {@code "median (µs)"}) and rows of
 * numbers or text. It renders as aligned text; in JSON each row becomes an object keyed by column.
 *
 * @param title what the table shows
 * @param columns the column headers
 * @param rows the cells, one list per row, as long as {@code columns}
 */
public record Table(String title, List<String> columns, List<List<Object>> rows) {

  public Table {
    columns = List.copyOf(columns);
    rows = rows.stream().map(r -> java.util.Collections.unmodifiableList(new ArrayList<>(r))).toList();
    for (List<Object> row : rows) {
      if (row.size() != columns.size()) {
        throw new IllegalArgumentException("table '" + title + "' has " + columns.size() + " columns but a row of "
            + row.size() + ": " + row);
      }
    }
  }

  /** Starts a table with these column headers. */
  public static Builder of(String title, String... columns) {
    return new Builder(title, Arrays.asList(columns));
  }

  /** The widest line {@link #render()} prints, indent included. */
  public static final int MAX_WIDTH = 100;

  /** As {@link #render(int)} within {@link #MAX_WIDTH} columns. */
  public String render() {
    return render(MAX_WIDTH);
  }

  /**
   * Numbers right-aligned, text left-aligned, two spaces between columns, a rule under a header that wraps onto
   * more than one line. A table wider than {@code maxWidth} first wraps its headers at spaces, then wraps the
   * widest columns' cells onto more lines.
   */
  public String render(int maxWidth) {
    int n = columns.size();
    int[] width = new int[n];
    int[] headerWord = new int[n];
    List<String[]> cells = new ArrayList<>();
    for (List<Object> row : rows) {
      String[] texts = new String[n];
      for (int i = 0; i < n; i++) {
        texts[i] = cell(row.get(i));
        width[i] = Math.max(width[i], texts[i].length());
      }
      cells.add(texts);
    }
    for (int i = 0; i < n; i++) {
      for (String word : columns.get(i).split(" ")) {
        headerWord[i] = Math.max(headerWord[i], word.length());
      }
      width[i] = Math.max(width[i], columns.get(i).length());
    }
    int[] floor = new int[n]; // how narrow a column gets before its cells must wrap: its longest cell or word
    for (int i = 0; i < n; i++) {
      floor[i] = headerWord[i];
      for (String[] c : cells) {
        floor[i] = Math.max(floor[i], c[i].length());
      }
    }
    while (total(width) > maxWidth) { // headers wrap first, the one with the most room to give first
      int most = -1;
      for (int i = 0; i < n; i++) {
        if (width[i] > floor[i] && (most < 0 || width[i] - floor[i] > width[most] - floor[most])) {
          most = i;
        }
      }
      if (most < 0) {
        break;
      }
      width[most]--;
    }
    while (total(width) > maxWidth) { // then the widest column gives up a column at a time
      int widest = 0;
      for (int i = 1; i < n; i++) {
        if (width[i] > width[widest]) {
          widest = i;
        }
      }
      if (width[widest] <= 8) {
        break;
      }
      width[widest]--;
    }
    StringBuilder out = new StringBuilder();
    int headerLines = appendRow(out, columns.toArray(String[]::new), width, null);
    if (headerLines > 1) { // a one-line header reads as one, as in ps; a wrapped one needs its end marked
      out.append("  ").append("─".repeat(total(width) - 2)).append('\n');
    }
    for (int r = 0; r < cells.size(); r++) {
      appendRow(out, cells.get(r), width, rows.get(r));
    }
    return out.toString();
  }

  private static int total(int[] width) {
    return 2 + Arrays.stream(width).sum() + 2 * (width.length - 1);
  }

  /** Appends one row, its cells wrapped to their widths; returns how many lines it took. */
  private static int appendRow(StringBuilder out, String[] texts, int[] width, List<Object> values) {
    List<List<String>> wrapped = new ArrayList<>();
    int height = 1;
    for (int i = 0; i < texts.length; i++) {
      List<String> lines = wrap(texts[i], width[i]);
      wrapped.add(lines);
      height = Math.max(height, lines.size());
    }
    for (int line = 0; line < height; line++) {
      StringBuilder row = new StringBuilder("  ");
      for (int i = 0; i < texts.length; i++) {
        String text = line < wrapped.get(i).size() ? wrapped.get(i).get(line) : "";
        boolean right = values != null && values.get(i) instanceof Number;
        String pad = " ".repeat(Math.max(0, width[i] - text.length()));
        row.append(right ? pad + text : text + pad);
        if (i < texts.length - 1) {
          row.append("  ");
        }
      }
      out.append(row.toString().stripTrailing()).append('\n');
    }
    return height;
  }

  /** Splits {@code text} into lines of at most {@code width} characters, at spaces where it can. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    String rest = text;
    while (rest.length() > width) {
      int cut = rest.lastIndexOf(' ', width);
      if (cut <= 0) {
        lines.add(rest.substring(0, width));
        rest = rest.substring(width);
      } else {
        lines.add(rest.substring(0, cut));
        rest = rest.substring(cut + 1);
      }
    }
    lines.add(rest);
    return lines;
  }

  static String cell(Object value) {
    if (value instanceof Double || value instanceof Float) {
      return Check.format(((Number) value).doubleValue(), "");
    }
    return String.valueOf(value).replace('\n', ' '); // a cell is one paragraph: it wraps, it does not break
  }

  /** Collects rows. */
  public static final class Builder {
    private final String title;
    private final List<String> columns;
    private final List<List<Object>> rows = new ArrayList<>();

    private Builder(String title, List<String> columns) {
      this.title = title;
      this.columns = columns;
    }

    public Builder row(Object... cells) {
      rows.add(Arrays.asList(cells));
      return this;
    }

    public Table build() {
      return new Table(title, columns, rows);
    }
  }
}
