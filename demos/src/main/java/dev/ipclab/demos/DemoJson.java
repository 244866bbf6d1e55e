package dev.ipclab.demos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.PropertyNamingStrategy;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.MapperConfig;
import com.fasterxml.jackson.databind.introspect.AnnotatedField;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.introspect.AnnotatedParameter;
import dev.ipclab.demos.evidence.DemoEvidence;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes {@link DemoResult}s as JSON: one object per demo with {@code demo}, {@code claim}, {@code prediction},
 * {@code holds} (null when not applicable), {@code verdict}, {@code evidence} (the demo's evidence record, each
 * component under its snake_case name; null for a demo that failed), {@code tables}, {@code pids},
 * {@code check_yourself}, {@code notes} and {@code elapsed_ms}.
 */
public final class DemoJson {
  /** Package-private for the test that lists the evidence's JSON keys. */
  static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
      .setPropertyNamingStrategy(new EvidenceNames());

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

  /**
   * Names the evidence records' components in snake_case ({@code medianUs} → {@code median_us}), unless a component
   * names itself with {@code @JsonProperty}; the rest of the JSON keeps the names it is given.
   */
  private static final class EvidenceNames extends PropertyNamingStrategy {
    private static final long serialVersionUID = 1L;
    private static final String PACKAGE = DemoEvidence.class.getPackageName();
    private static final PropertyNamingStrategies.NamingBase SNAKE_CASE =
        (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    @Override
    public String nameForField(MapperConfig<?> config, AnnotatedField field, String defaultName) {
      return name(field, defaultName);
    }

    @Override
    public String nameForGetterMethod(MapperConfig<?> config, AnnotatedMethod method, String defaultName) {
      return name(method, defaultName);
    }

    @Override
    public String nameForSetterMethod(MapperConfig<?> config, AnnotatedMethod method, String defaultName) {
      return name(method, defaultName);
    }

    @Override
    public String nameForConstructorParameter(MapperConfig<?> config, AnnotatedParameter parameter,
        String defaultName) {
      return name(parameter, defaultName);
    }

    private static String name(AnnotatedMember member, String defaultName) {
      return member.getDeclaringClass().getPackageName().equals(PACKAGE) ? SNAKE_CASE.translate(defaultName)
          : defaultName;
    }
  }
}
