package dev.egret.core.route;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * The header changes of one level of a route table ({@code *_headers_to_add} and
 * {@code *_headers_to_remove} of a weighted cluster, route, virtual host or route configuration),
 * for one direction. Applying it first evaluates every value against the headers as they were, then
 * removes, then adds, as Envoy does within a level.
 *
 * <p>Immutable; {@link #NONE} changes nothing.
 */
public final class HeaderMutation {
  /** No change. */
  public static final HeaderMutation NONE = new HeaderMutation(new String[0], new HeaderValueAdd[0]);

  /** Envoy's limit on each of the add and remove lists. */
  static final int MAX_ENTRIES = 1000;

  private final String[] remove;
  private final HeaderValueAdd[] add;

  private HeaderMutation(String[] remove, HeaderValueAdd[] add) {
    this.remove = remove;
    this.add = add;
  }

  /** A mutation from compiled parts (for filters that compile their own lists). */
  public static HeaderMutation of(List<String> remove, List<HeaderValueAdd> add) {
    if (remove.isEmpty() && add.isEmpty()) {
      return NONE;
    }
    return new HeaderMutation(remove.toArray(new String[0]), add.toArray(new HeaderValueAdd[0]));
  }

  /**
   * Compiles one level's lists.
   *
   * @param add      the {@code *_headers_to_add} entries
   * @param remove   the {@code *_headers_to_remove} names
   * @param addAt    where the add list sits, for errors
   * @param removeAt where the remove list sits, for errors
   * @return the mutation ({@link #NONE} when both lists are empty), or null after reporting errors
   */
  public static HeaderMutation compile(List<HeaderValueOption> add, List<String> remove, ConfigPath addAt,
      ConfigPath removeAt) {
    requireNonNull(add, "add");
    requireNonNull(remove, "remove");
    int before = addAt.errorCount() + removeAt.errorCount();
    if (add.size() > MAX_ENTRIES) {
      addAt.error("at most " + MAX_ENTRIES + " entries; found " + add.size());
    }
    if (remove.size() > MAX_ENTRIES) {
      removeAt.error("at most " + MAX_ENTRIES + " entries; found " + remove.size());
    }
    List<HeaderValueAdd> adds = new ArrayList<>(add.size());
    for (int i = 0; i < add.size(); i++) {
      HeaderValueAdd a = HeaderValueAdd.compile(add.get(i), true, addAt.index(i));
      if (a != null) {
        adds.add(a);
      }
    }
    List<String> removes = new ArrayList<>(remove.size());
    for (int i = 0; i < remove.size(); i++) {
      removes.add(HeaderNames.checkMutable(remove.get(i), removeAt.index(i)));
    }
    if (addAt.errorCount() + removeAt.errorCount() > before) {
      return null;
    }
    return of(removes, adds);
  }

  /** True when this changes nothing. */
  public boolean isEmpty() {
    return remove.length == 0 && add.length == 0;
  }

  /** Applies the level to {@code headers}; commands in values read {@code info}. */
  public void apply(HttpHeaders headers, StreamInfo info) {
    if (add.length == 0) {
      for (String r : remove) {
        headers.remove(r);
      }
      return;
    }
    String[] values = new String[add.length];
    for (int i = 0; i < add.length; i++) {
      values[i] = add[i].value(info);
    }
    for (String r : remove) {
      headers.remove(r);
    }
    for (int i = 0; i < add.length; i++) {
      add[i].apply(headers, values[i]);
    }
  }

  @Override
  public String toString() {
    return "HeaderMutation{remove=" + List.of(remove) + ", add=" + List.of(add) + "}";
  }
}
