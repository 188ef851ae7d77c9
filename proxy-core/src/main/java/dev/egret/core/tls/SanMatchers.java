package dev.egret.core.tls;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.netty.util.NetUtil;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Subject-alternative-name checks on a peer certificate: Envoy's {@code match_typed_subject_alt_names}
 * (any-of; each matcher looks only at SANs of its type) and the SAN list of {@code auto_san_validation}.
 *
 * <p>DNS matchers with {@code exact} accept a certificate wildcard SAN covering exactly one left-most
 * label: SAN {@code *.example.com} matches {@code a.example.com}, not {@code example.com} nor
 * {@code a.b.example.com}. IP SANs are compared in their canonical text form ({@code ::1}).
 */
final class SanMatchers {
  static final int EMAIL = 1;
  static final int DNS = 2;
  static final int URI = 6;
  static final int IP = 7;

  /** One compiled {@code SubjectAltNameMatcher}. */
  record Matcher(int generalNameType, Predicate<String> test, boolean dnsExact, String exact) {
    boolean matches(String san) {
      if (dnsExact) {
        return dnsNameMatch(exact, san);
      }
      return test.test(san);
    }
  }

  private final List<Matcher> matchers;

  private SanMatchers(List<Matcher> matchers) {
    this.matchers = List.copyOf(matchers);
  }

  static SanMatchers none() {
    return new SanMatchers(List.of());
  }

  boolean isEmpty() {
    return matchers.isEmpty();
  }

  /** Compiles the typed list; null entries are reported and skipped. */
  static SanMatchers compileTyped(List<SubjectAltNameMatcher> typed, ConfigPath at) {
    List<Matcher> out = new ArrayList<>();
    for (int i = 0; i < typed.size(); i++) {
      SubjectAltNameMatcher m = typed.get(i);
      ConfigPath p = at.index(i);
      Fields.allowOnly(m, p, Set.of("san_type", "matcher"));
      int type = switch (m.getSanType()) {
        case EMAIL -> EMAIL;
        case DNS -> DNS;
        case URI -> URI;
        case IP_ADDRESS -> IP;
        default -> {
          p.field("san_type").error("san_type " + m.getSanType() + " is not supported by Egret");
          yield -1;
        }
      };
      if (!m.hasMatcher()) {
        p.field("matcher").error("matcher is required");
        continue;
      }
      Matcher compiled = compile(type, m.getMatcher(), p.field("matcher"));
      if (type > 0 && compiled != null) {
        out.add(compiled);
      }
    }
    return new SanMatchers(out);
  }

  /** Compiles the deprecated untyped list: each matcher is tried against DNS, URI, e-mail and IP SANs. */
  static SanMatchers compileUntyped(List<StringMatcher> untyped, ConfigPath at) {
    List<Matcher> out = new ArrayList<>();
    for (int i = 0; i < untyped.size(); i++) {
      Matcher dns = compile(DNS, untyped.get(i), at.index(i));
      if (dns != null) {
        out.add(dns);
        for (int type : new int[] {URI, EMAIL, IP}) {
          out.add(new Matcher(type, dns.test(), false, null));
        }
      }
    }
    return new SanMatchers(out);
  }

  private static Matcher compile(int type, StringMatcher sm, ConfigPath at) {
    if (!Fields.allowOnly(sm, at, Set.of("exact", "prefix", "suffix", "contains", "safe_regex", "ignore_case"))) {
      return null;
    }
    boolean ic = sm.getIgnoreCase();
    switch (sm.getMatchPatternCase()) {
      case EXACT -> {
        String v = sm.getExact();
        return new Matcher(type, s -> ic ? s.equalsIgnoreCase(v) : s.equals(v), type == DNS, v);
      }
      case PREFIX -> {
        String v = sm.getPrefix();
        return new Matcher(type, s -> ic ? s.toLowerCase(Locale.ROOT).startsWith(v.toLowerCase(Locale.ROOT))
            : s.startsWith(v), false, null);
      }
      case SUFFIX -> {
        String v = sm.getSuffix();
        return new Matcher(type, s -> ic ? s.toLowerCase(Locale.ROOT).endsWith(v.toLowerCase(Locale.ROOT))
            : s.endsWith(v), false, null);
      }
      case CONTAINS -> {
        String v = sm.getContains();
        return new Matcher(type, s -> ic ? s.toLowerCase(Locale.ROOT).contains(v.toLowerCase(Locale.ROOT))
            : s.contains(v), false, null);
      }
      case SAFE_REGEX -> {
        ConfigPath rp = at.field("safe_regex");
        Fields.allowOnly(sm.getSafeRegex(), rp, Set.of("regex", "google_re2"));
        try {
          Pattern p = Pattern.compile(sm.getSafeRegex().getRegex());
          return new Matcher(type, s -> p.matcher(s).matches(), false, null);
        } catch (PatternSyntaxException e) {
          rp.field("regex").error("invalid regex: " + e.getDescription());
          return null;
        }
      }
      default -> {
        at.error("string matcher has no pattern");
        return null;
      }
    }
  }

  /** True when some SAN of {@code cert} satisfies some matcher (always true when there are none). */
  boolean matches(X509Certificate cert) {
    if (matchers.isEmpty()) {
      return true;
    }
    Collection<List<?>> sans = sans(cert);
    for (Matcher m : matchers) {
      for (List<?> san : sans) {
        if (((Integer) san.get(0)) == m.generalNameType() && m.matches(text(san))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Envoy's SAN-list check ({@code auto_san_validation}): a DNS SAN matching {@code name} (wildcards
   * as above), or a URI / IP SAN equal to it.
   */
  static boolean matchesSanList(X509Certificate cert, String name) {
    requireNonNull(name, "name");
    for (List<?> san : sans(cert)) {
      int type = (Integer) san.get(0);
      String v = text(san);
      if (type == DNS && dnsNameMatch(name, v)) {
        return true;
      }
      if ((type == URI || type == IP) && v.equals(canonicalIp(name))) {
        return true;
      }
    }
    return false;
  }

  /** First URI SAN of {@code cert}, or null. */
  static String firstUri(X509Certificate cert) {
    for (List<?> san : sans(cert)) {
      if ((Integer) san.get(0) == URI) {
        return text(san);
      }
    }
    return null;
  }

  /** {@code name} equals {@code san} (ignoring case), or {@code san} is {@code *.rest} and name is one label + {@code .rest}. */
  static boolean dnsNameMatch(String name, String san) {
    if (san.equalsIgnoreCase(name)) {
      return true;
    }
    if (san.length() > 2 && san.startsWith("*.")) {
      int dot = name.indexOf('.');
      return dot > 0 && name.substring(dot).equalsIgnoreCase(san.substring(1));
    }
    return false;
  }

  private static Collection<List<?>> sans(X509Certificate cert) {
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      return sans == null ? List.of() : sans;
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  private static String text(List<?> san) {
    Object v = san.get(1);
    String s = v instanceof String str ? str : String.valueOf(v);
    return (Integer) san.get(0) == IP ? canonicalIp(s) : s;
  }

  private static String canonicalIp(String s) {
    byte[] b = NetUtil.createByteArrayFromIpAddressString(s);
    if (b == null) {
      return s;
    }
    try {
      return NetUtil.toAddressString(java.net.InetAddress.getByAddress(b));
    } catch (java.net.UnknownHostException e) {
      return s;
    }
  }
}
