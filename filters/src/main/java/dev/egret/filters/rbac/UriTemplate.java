package dev.egret.filters.rbac;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code uri_template} permissions ({@code envoy.extensions.path.match.uri_template.v3}), compiled
 * to one regex over the path without query. Syntax: the template starts with {@code /}; a segment
 * is a literal, {@code *} (exactly one non-empty segment), {@code **} (any text, slashes included,
 * possibly empty) or a variable {@code {name}}, {@code {name=*}}, {@code {name=**}},
 * {@code {name=a/*}}; the last segment may be an operator followed by a literal suffix
 * ({@code /**.mpd}). {@code **} must be the last operator. Literals use RFC 3986 path characters.
 */
final class UriTemplate implements RbacMatcher {
  static final String TYPE = "type.googleapis.com/envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig";
  private static final String PCHAR = "a-zA-Z0-9\\-._~%!$&'()+,;:@=";
  private static final String SEGMENT = "[" + PCHAR + "]+";
  private static final String TEXT = "[" + PCHAR + "/]*";

  private final String template;
  private final Pattern regex;

  private UriTemplate(String template, Pattern regex) {
    this.template = template;
    this.regex = regex;
  }

  /** Compiles a {@code TypedExtensionConfig} holding a {@code UriTemplateMatchConfig}; null after reporting. */
  static UriTemplate compile(TypedExtensionConfig ext, ConfigPath at) {
    Fields.allowOnly(ext, at, Set.of("name", "typed_config"));
    Any any = ext.getTypedConfig();
    ConfigPath ta = at.field("typed_config");
    if (!any.getTypeUrl().equals(TYPE)) {
      ta.error("uri_template needs a " + TYPE + ", got '" + any.getTypeUrl() + "'");
      return null;
    }
    UriTemplateMatchConfig c;
    try {
      c = any.unpack(UriTemplateMatchConfig.class);
    } catch (InvalidProtocolBufferException e) {
      ta.error("cannot decode UriTemplateMatchConfig: " + e.getMessage());
      return null;
    }
    Fields.allowOnly(c, ta, Set.of("path_template"));
    String t = c.getPathTemplate();
    try {
      return new UriTemplate(t, Pattern.compile(toRegex(t)));
    } catch (IllegalArgumentException e) {
      ta.field("path_template").error("invalid path template '" + t + "': " + e.getMessage());
      return null;
    }
  }

  static String toRegex(String t) {
    if (t.length() < 2 || t.charAt(0) != '/' || t.length() > 256) {
      throw new IllegalArgumentException("must start with '/' and hold 2 to 256 characters");
    }
    List<String> segs = segments(t.substring(1));
    StringBuilder re = new StringBuilder();
    boolean[] textGlob = {false};
    for (int i = 0; i < segs.size(); i++) {
      String s = segs.get(i);
      boolean last = i == segs.size() - 1;
      re.append('/');
      String suffix;
      if (s.startsWith("{")) {
        int close = s.indexOf('}');
        String body = s.substring(1, close);
        suffix = s.substring(close + 1);
        int eq = body.indexOf('=');
        String name = eq < 0 ? body : body.substring(0, eq);
        if (!name.matches("[a-zA-Z][a-zA-Z0-9_]{0,15}")) {
          throw new IllegalArgumentException("bad variable name '" + name + "'");
        }
        String[] parts = (eq < 0 ? "*" : body.substring(eq + 1)).split("/", -1);
        for (int k = 0; k < parts.length; k++) {
          if (k > 0) {
            re.append('/');
          }
          re.append(part(parts[k], textGlob));
        }
      } else if (s.startsWith("**")) {
        re.append(part("**", textGlob));
        suffix = s.substring(2);
      } else if (s.startsWith("*")) {
        re.append(part("*", textGlob));
        suffix = s.substring(1);
      } else {
        re.append(part(s, textGlob));
        continue;
      }
      if (!suffix.isEmpty() && !last) {
        throw new IllegalArgumentException("text after an operator is only allowed in the last segment");
      }
      re.append(literal(suffix, false));
    }
    return re.toString();
  }

  /** Splits on '/' outside braces; a brace must close within the template. */
  private static List<String> segments(String t) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    int from = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '{') {
        if (depth++ > 0 || i != from) {
          throw new IllegalArgumentException("a variable must start its segment and cannot nest");
        }
      } else if (c == '}') {
        if (--depth < 0) {
          throw new IllegalArgumentException("unmatched '}'");
        }
      } else if (c == '/' && depth == 0) {
        out.add(t.substring(from, i));
        from = i + 1;
      }
    }
    if (depth != 0) {
      throw new IllegalArgumentException("unterminated variable");
    }
    out.add(t.substring(from));
    return out;
  }

  private static String part(String p, boolean[] textGlobSeen) {
    if (p.equals("*") || p.equals("**")) {
      if (textGlobSeen[0]) {
        throw new IllegalArgumentException("'**' must be the last operator");
      }
      textGlobSeen[0] = p.equals("**");
      return p.equals("*") ? SEGMENT : TEXT;
    }
    return literal(p, true);
  }

  private static String literal(String s, boolean mustBeNonEmpty) {
    if (s.isEmpty()) {
      if (mustBeNonEmpty) {
        throw new IllegalArgumentException("empty path segment");
      }
      return "";
    }
    for (int i = 0; i < s.length(); i++) {
      if (!isPchar(s.charAt(i))) {
        throw new IllegalArgumentException("'" + s.charAt(i) + "' is not allowed in a literal");
      }
    }
    return Pattern.quote(s);
  }

  private static boolean isPchar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || "-._~%!$&'()+,;:@=".indexOf(c) >= 0;
  }

  @Override
  public boolean matches(RbacRequest r) {
    String p = r.pathNoQuery();
    return p != null && regex.matcher(p).matches();
  }

  @Override
  public String toString() {
    return "uri_template(" + template + ")";
  }
}
