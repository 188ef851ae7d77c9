package dev.egret.filters.headermutation;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.route.HeaderNames;
import dev.egret.core.route.HeaderValueAdd;
import dev.egret.core.stream.StreamInfo;
import io.envoyproxy.envoy.config.common.mutation_rules.v3.HeaderMutation;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A compiled list of {@code mutation_rules.v3.HeaderMutation} entries for one direction, applied in
 * order: {@code remove} drops every value of a header, {@code append} is a {@code HeaderValueOption}
 * whose value is evaluated when its turn comes (so it sees the entries before it). Immutable.
 */
final class HeaderOps {
  static final HeaderOps NONE = new HeaderOps(new Object[0]);

  /** Each element a lower-case header name to remove or a {@link HeaderValueAdd}. */
  private final Object[] ops;

  private HeaderOps(Object[] ops) {
    this.ops = ops;
  }

  /** Compiles the list; null after reporting errors at {@code at}. */
  static HeaderOps compile(List<HeaderMutation> list, ConfigPath at) {
    if (list.isEmpty()) {
      return NONE;
    }
    int before = at.errorCount();
    List<Object> ops = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      HeaderMutation m = list.get(i);
      ConfigPath ma = at.index(i);
      Fields.allowOnly(m, ma, Set.of("remove", "append"));
      switch (m.getActionCase()) {
        case REMOVE -> ops.add(HeaderNames.checkMutable(m.getRemove(), ma.field("remove")));
        case APPEND -> {
          HeaderValueAdd add = HeaderValueAdd.compile(m.getAppend(), true, ma.field("append"));
          if (add != null) {
            ops.add(add);
          }
        }
        default -> ma.error("a header mutation needs one of remove, append");
      }
    }
    return at.errorCount() > before ? null : new HeaderOps(ops.toArray());
  }

  boolean isEmpty() {
    return ops.length == 0;
  }

  void apply(HttpHeaders headers, StreamInfo info) {
    for (Object op : ops) {
      if (op instanceof HeaderValueAdd add) {
        add.apply(headers, add.value(info));
      } else {
        headers.remove((String) op);
      }
    }
  }
}
