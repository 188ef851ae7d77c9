package dev.egret.filters.extauthz;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import dev.egret.core.match.StringMatch;
import io.envoyproxy.envoy.type.matcher.v3.ListStringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** A compiled {@code ListStringMatcher} over header names: a name is selected when any pattern matches. */
final class HeaderSelector {
  private final StringMatch[] patterns;

  private HeaderSelector(List<StringMatch> patterns) {
    this.patterns = patterns.toArray(new StringMatch[0]);
  }

  /** Compiles; null after reporting at {@code at}. */
  static HeaderSelector compile(ListStringMatcher proto, ConfigPath at) {
    Fields.allowOnly(proto, at, Set.of("patterns"));
    List<StringMatch> out = new ArrayList<>();
    int before = at.errorCount();
    for (int i = 0; i < proto.getPatternsCount(); i++) {
      StringMatch m = StringMatch.compile(proto.getPatterns(i), at.field("patterns").index(i));
      if (m != null) {
        out.add(m);
      }
    }
    return at.errorCount() > before ? null : new HeaderSelector(out);
  }

  boolean matches(String name) {
    for (StringMatch p : patterns) {
      if (p.matches(name)) {
        return true;
      }
    }
    return false;
  }
}
