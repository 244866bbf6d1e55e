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

  /** Numbers right-aligned, text left-aligned, two spaces between columns, a rule under the header. */
  public String render() {
    int n = columns.size();
    int[] width = new int[n];
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
      width[i] = Math.max(width[i], columns.get(i).length());
    }
    StringBuilder out = new StringBuilder();
    appendRow(out, columns.toArray(String[]::new), width, null);
    int total = Arrays.stream(width).sum() + 2 * (n - 1);
    out.append("  ").append("─".repeat(total)).append('\n');
    for (int r = 0; r < cells.size(); r++) {
      appendRow(out, cells.get(r), width, rows.get(r));
    }
    return out.toString();
  }

  private static void appendRow(StringBuilder out, String[] texts, int[] width, List<Object> values) {
    out.append("  ");
    for (int i = 0; i < texts.length; i++) {
      boolean right = values != null && values.get(i) instanceof Number;
      String pad = " ".repeat(width[i] - texts[i].length());
      out.append(right ? pad + texts[i] : texts[i] + (i == texts.length - 1 ? "" : pad));
      if (i < texts.length - 1) {
        out.append("  ");
      }
    }
    out.append('\n');
  }

  static String cell(Object value) {
    if (value instanceof Double || value instanceof Float) {
      return Check.format(((Number) value).doubleValue(), "");
    }
    return String.valueOf(value);
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
