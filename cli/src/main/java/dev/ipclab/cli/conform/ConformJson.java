package dev.ipclab.cli.conform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The same report as {@link ConformText}, as one JSON object: {@code command}, {@code transport}, {@code passed},
 * {@code millis}, the tally, and {@code checks}, each with {@code id}, {@code title}, {@code rule}, {@code verdict}
 * (PASS, FAIL or SKIPPED), {@code expected}, {@code arrived} and {@code millis}.
 */
public final class ConformJson {
  private ConformJson() {}

  public static String of(ConformReport report) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = mapper.createObjectNode();
    ArrayNode command = root.putArray("command");
    report.command().forEach(command::add);
    root.put("transport", report.transport());
    root.put("passed", report.passed());
    root.put("millis", report.millis());
    root.put("pass", report.count(CheckResult.Verdict.PASS));
    root.put("fail", report.count(CheckResult.Verdict.FAIL));
    root.put("skipped", report.count(CheckResult.Verdict.SKIPPED));
    ArrayNode checks = root.putArray("checks");
    for (CheckResult r : report.results()) {
      ObjectNode c = checks.addObject();
      c.put("id", r.check().id());
      c.put("title", r.check().title());
      c.put("rule", r.check().rule());
      c.put("verdict", r.verdict().name());
      c.put("expected", r.expected());
      c.put("arrived", r.arrived());
      c.put("millis", r.millis());
    }
    ArrayNode log = root.putArray("worker_log_tail");
    report.workerLog().forEach(log::add);
    try {
      return mapper.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
