package dev.egret.filters.cel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.egret.core.config.ConfigPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CelConditionTest {
  static CelCondition ok(String src) {
    ConfigPath at = ConfigPath.root("condition");
    CelCondition c = CelCondition.compileSource(src, at);
    assertThat(at.errors()).isEmpty();
    return c;
  }

  static String error(String src) {
    ConfigPath at = ConfigPath.root("condition");
    assertThat(CelCondition.compileSource(src, at)).isNull();
    assertThat(at.errors()).hasSize(1);
    return at.errors().get(0).toString();
  }

  @Test
  void qualifiedAttributesResolveLazilyByTheirFullName() {
    CelCondition c = ok("request.method == 'GET' && request.headers['x-a'] == 'b'");
    List<String> asked = new ArrayList<>();
    Map<String, Object> values = new HashMap<>(Map.of("request.method", "GET", "request.headers", Map.of("x-a", "b")));
    assertThat(c.test(n -> {
      asked.add(n);
      return values.get(n);
    })).isTrue();
    assertThat(asked).containsExactly("request.method", "request.headers");
    values.put("request.method", "POST");
    asked.clear();
    assertThat(c.test(n -> {
      asked.add(n);
      return values.get(n);
    })).isFalse();
    assertThat(asked).containsExactly("request.method");
  }

  @Test
  void unknownAttributesWrongTypesAndNonBoolResultsAreCompileErrors() {
    assertThat(error("request.pth == '/'")).contains("undeclared reference to 'request'", "request.url_path");
    assertThat(error("request.path == 1")).contains("condition");
    assertThat(error("request.path")).contains("condition");
    assertThat(error("request.path ==")).contains("condition");
  }

  @Test
  void evaluationErrorsAreNoMatch() {
    CelCondition c = ok("request.headers['missing'] == 'x' || true");
    assertThat(c.test(n -> Map.of())).isTrue();
    assertThat(ok("request.headers['missing'] == 'x'").test(n -> Map.of())).isFalse();
    assertThat(ok("request.size > 10").test(n -> null)).isFalse();
  }

  @Test
  void metadataStructsAreMaps() {
    CelCondition c = ok("metadata.filter_metadata['envoy.filters.http.jwt_authn']['payload']['test'] == 'bar'");
    assertThat(c.test(n -> n.equals("metadata.filter_metadata")
        ? Map.of("envoy.filters.http.jwt_authn", Map.of("payload", Map.of("test", "bar"))) : null)).isTrue();
  }
}
