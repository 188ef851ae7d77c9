package dev.egret.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Renders container/helm/egret with helm-java (Helm's own library) and reads the objects back. */
final class Charts {

  static final Path CHART = Path.of("helm/egret").toAbsolutePath();
  static final Path GOLDEN = Path.of("k8s/egret.yaml").toAbsolutePath();
  /** The rendering with {@code controller.enabled=true}. */
  static final Path CONTROLLER_GOLDEN = Path.of("k8s/egret-controller.yaml").toAbsolutePath();
  static final Map<String, Object> CONTROLLER_MODE = Map.of("controller.enabled", "true");
  static final String RELEASE = "egret";
  static final String NAMESPACE = "egret";

  private Charts() {}

  /** The chart rendered as the golden is: release egret in namespace egret, with the given --set pairs. */
  static String render(Map<String, Object> sets) {
    TemplateCommand t = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE);
    sets.forEach(t::set);
    return t.call();
  }

  /** The documents of a multi-document YAML stream, empty ones dropped. */
  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> objects(String yaml) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
      if (doc != null) {
        out.add((Map<String, Object>) doc);
      }
    }
    return out;
  }

  /** The value at a dotted path of maps ("spec.template.spec"); a number selects a list element. */
  @SuppressWarnings("unchecked")
  static <T> T at(Object root, String path) {
    Object cur = root;
    for (String part : path.split("\\.")) {
      if (cur instanceof List<?> list) {
        cur = list.get(Integer.parseInt(part));
      } else if (cur instanceof Map<?, ?> map) {
        cur = map.get(part);
      } else {
        throw new IllegalArgumentException("no " + part + " in " + cur + " (path " + path + ")");
      }
    }
    return (T) cur;
  }

  static Map<String, Object> only(List<Map<String, Object>> objects, String kind) {
    List<Map<String, Object>> of = objects.stream().filter(o -> kind.equals(o.get("kind"))).toList();
    if (of.size() != 1) {
      throw new AssertionError("expected one " + kind + ", found " + of.size());
    }
    return of.get(0);
  }
}
