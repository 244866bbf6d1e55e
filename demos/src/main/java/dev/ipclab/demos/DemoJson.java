package dev.ipclab.demos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link DemoResult}s as JSON: one object per demo with {@code demo}, {@code claim}, {@code prediction},
 * {@code holds} (null when not applicable), {@code verdict}, {@code evidence}, {@code tables}, {@code pids},
 * {@code check_yourself}, {@code notes} and {@code elapsed_ms}.
 */
public final class DemoJson {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DemoJson() {}

  public static String write(DemoResult result) {
    return write((Object) tree(result));
  }

  public static String write(List<DemoResult> results) {
    return write((Object) results.stream().map(DemoJson::tree).toList());
  }

  private static String write(Object tree) {
    try {
      return MAPPER.writeValueAsString(tree);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("a demo result could not be written as JSON: " + e.getMessage(), e);
    }
  }

  /** The JSON object for one result, as maps and lists. */
  static Map<String, Object> tree(DemoResult r) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("demo", r.demo());
    o.put("claim", r.claim());
    o.put("prediction", r.prediction());
    o.put("transport", r.transport());
    o.put("holds", r.verdict().holds());
    Map<String, Object> verdict = new LinkedHashMap<>();
    verdict.put("outcome", r.verdict().outcome().words());
    verdict.put("reason", r.verdict().reason());
    verdict.put("checks", r.verdict().checks());
    o.put("verdict", verdict);
    o.put("evidence", r.evidence());
    o.put("tables", r.tables().stream().map(DemoJson::table).toList());
    o.put("pids", r.pids());
    o.put("check_yourself", r.checkYourself());
    o.put("notes", r.notes());
    o.put("elapsed_ms", r.elapsedMillis());
    return o;
  }

  private static Map<String, Object> table(Table t) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("title", t.title());
    o.put("columns", t.columns());
    o.put("rows", t.rows().stream().map(row -> {
      Map<String, Object> cells = new LinkedHashMap<>();
      for (int i = 0; i < row.size(); i++) {
        cells.put(t.columns().get(i), row.get(i));
      }
      return cells;
    }).toList());
    return o;
  }
}
