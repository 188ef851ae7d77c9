package dev.egret.core.route;

import dev.egret.core.config.ConfigPath;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compiled {@code RegexMatchAndSubstitute}: every non-overlapping match of the pattern in the
 * input is replaced by the substitution, as RE2's {@code GlobalReplace} does. In the substitution,
 * {@code \0}…{@code \9} insert a capture group and {@code \\} a backslash; anything else is literal.
 * A substitution naming a group the pattern lacks, or holding another escape, is a config error
 * (RE2 would refuse it at run time and leave the input unchanged).
 */
final class RegexRewrite {
  private final Pattern pattern;
  private final String[] literals; // literals[i] precedes groups[i]; one more literal than groups
  private final int[] groups;

  private RegexRewrite(Pattern pattern, String[] literals, int[] groups) {
    this.pattern = pattern;
    this.literals = literals;
    this.groups = groups;
  }

  /** Compiles a rewrite, or returns null after reporting the problems at {@code at}. */
  static RegexRewrite compile(RegexMatchAndSubstitute proto, ConfigPath at) {
    MatcherCompiler.allowOnly(proto, at, Set.of("pattern", "substitution"));
    if (!proto.hasPattern()) {
      at.field("pattern").error("pattern is required");
      return null;
    }
    Pattern p = MatcherCompiler.regex(proto.getPattern(), at.field("pattern"));
    if (p == null) {
      return null;
    }
    String sub = proto.getSubstitution();
    List<String> lits = new ArrayList<>();
    List<Integer> refs = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    int groupCount = p.matcher("").groupCount();
    for (int i = 0; i < sub.length(); i++) {
      char c = sub.charAt(i);
      if (c != '\\') {
        lit.append(c);
        continue;
      }
      if (i + 1 >= sub.length()) {
        at.field("substitution").error("substitution ends with a lone '\\'");
        return null;
      }
      char d = sub.charAt(++i);
      if (d == '\\') {
        lit.append('\\');
      } else if (d >= '0' && d <= '9') {
        int g = d - '0';
        if (g > groupCount) {
          at.field("substitution").error("substitution uses \\" + g + " but the pattern has only "
              + groupCount + " capture group(s)");
          return null;
        }
        lits.add(lit.toString());
        lit.setLength(0);
        refs.add(g);
      } else {
        at.field("substitution").error("invalid escape '\\" + d + "' in substitution (use \\0-\\9 or \\\\)");
        return null;
      }
    }
    lits.add(lit.toString());
    return new RegexRewrite(p, lits.toArray(new String[0]), refs.stream().mapToInt(Integer::intValue).toArray());
  }

  /** {@code s[start, end)} with every match replaced. */
  String replaceAll(String s, int start, int end) {
    Matcher m = pattern.matcher(s).region(start, end);
    StringBuilder out = null;
    int last = start;
    while (m.find()) {
      if (out == null) {
        out = new StringBuilder(end - start + 16);
      }
      out.append(s, last, m.start());
      for (int i = 0; i < groups.length; i++) {
        out.append(literals[i]);
        String g = m.group(groups[i]);
        if (g != null) {
          out.append(g);
        }
      }
      out.append(literals[groups.length]);
      last = m.end();
    }
    if (out == null) {
      return s.substring(start, end);
    }
    return out.append(s, last, end).toString();
  }

  Pattern pattern() {
    return pattern;
  }
}
