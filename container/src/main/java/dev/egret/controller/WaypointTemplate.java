package dev.egret.controller;

import static java.util.Objects.requireNonNull;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The objects of one waypoint as the Helm chart renders them ({@code container/k8s/egret.yaml}, copied
 * into the jar at build time), so the controller's Deployments, Services, ServiceAccounts and bootstrap
 * ConfigMaps are the chart's, not a second hand-written copy. Every {@link #fresh} call parses again:
 * callers own and edit what they get.
 */
public final class WaypointTemplate {

  /** Where the build puts the chart's default rendering. */
  public static final String RESOURCE = "/dev/egret/controller/egret.yaml";

  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

  private final List<String> documents;

  private WaypointTemplate(String yaml) {
    this.documents = List.of(DOCUMENT_SEPARATOR.split(requireNonNull(yaml, "yaml")));
  }

  /** The template from a multi-document YAML text. */
  public static WaypointTemplate of(String yaml) {
    return new WaypointTemplate(yaml);
  }

  /** The template bundled in the jar. */
  public static WaypointTemplate fromClasspath() {
    try (InputStream in = WaypointTemplate.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE + " (built from container/k8s/egret.yaml)");
      }
      return of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A new copy of the template's only object of this type (its kind is the class's simple name). */
  public <T extends HasMetadata> T fresh(Class<T> type) {
    Pattern kind = Pattern.compile("(?m)^kind: " + Pattern.quote(type.getSimpleName()) + "\\s*$");
    List<String> matching = documents.stream().filter(d -> kind.matcher(d).find()).toList();
    if (matching.size() != 1) {
      throw new IllegalStateException("the waypoint template has " + matching.size() + " objects of kind "
          + type.getSimpleName() + ", expected 1");
    }
    return Serialization.unmarshal(matching.get(0), type);
  }
}
