package dev.egret.core.route;

import static dev.egret.core.route.RouteFixtures.headers;
import static dev.egret.core.route.RouteFixtures.matched;
import static dev.egret.core.route.RouteFixtures.routes;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouteMatchingTest {
  private static String r(String name, String match) {
    return "{\"name\":\"" + name + "\",\"match\":" + match + ",\"route\":{\"cluster\":\"a\"}}";
  }

  @Test
  void prefixMatchesStartOfPathCaseSensitively() {
    RouteTable t = routes(r("api", "{\"prefix\":\"/api\"}"));
    assertThat(matched(t, "/api")).isEqualTo("api");
    assertThat(matched(t, "/apiary")).isEqualTo("api");
    assertThat(matched(t, "/api/v1?x=1")).isEqualTo("api");
    assertThat(matched(t, "/API")).isNull();
    assertThat(matched(t, "/ap")).isNull();
  }

  @Test
  void prefixDoesNotMatchIntoTheQueryString() {
    RouteTable t = routes(r("long", "{\"prefix\":\"/a?b\"}"));
    assertThat(matched(t, "/a?b")).isNull();
  }

  @Test
  void emptyPrefixMatchesEverything() {
    RouteTable t = routes(r("all", "{\"prefix\":\"\"}"));
    assertThat(matched(t, "/anything")).isEqualTo("all");
    assertThat(matched(t, "*")).isEqualTo("all");
  }

  @Test
  void caseInsensitivePrefixAndPath() {
    RouteTable t = routes(r("p", "{\"prefix\":\"/Api\",\"case_sensitive\":false}") + ","
        + r("exact", "{\"path\":\"/Login\",\"case_sensitive\":false}"));
    assertThat(matched(t, "/aPI/x")).isEqualTo("p");
    assertThat(matched(t, "/LOGIN")).isEqualTo("exact");
    assertThat(matched(t, "/login/x")).isNull();
  }

  @Test
  void explicitCaseSensitiveTrueStaysSensitive() {
    RouteTable t = routes(r("p", "{\"prefix\":\"/Api\",\"case_sensitive\":true}"));
    assertThat(matched(t, "/api")).isNull();
    assertThat(matched(t, "/Api")).isEqualTo("p");
  }

  @Test
  void pathMatchesWholePathIgnoringQuery() {
    RouteTable t = routes(r("exact", "{\"path\":\"/login\"}"));
    assertThat(matched(t, "/login")).isEqualTo("exact");
    assertThat(matched(t, "/login?next=/x")).isEqualTo("exact");
    assertThat(matched(t, "/login#frag")).isEqualTo("exact");
    assertThat(matched(t, "/login/")).isNull();
    assertThat(matched(t, "/Login")).isNull();
  }

  @Test
  void safeRegexMustMatchWholePathWithoutQuery() {
    RouteTable t = routes(r("re", "{\"safe_regex\":{\"regex\":\"/users/[0-9]+\"}}"));
    assertThat(matched(t, "/users/42")).isEqualTo("re");
    assertThat(matched(t, "/users/42?full=1")).isEqualTo("re");
    assertThat(matched(t, "/users/42/x")).isNull();
    assertThat(matched(t, "/x/users/42")).isNull();
  }

  @Test
  void safeRegexIgnoresCaseSensitiveFlagButHonoursInlineFlag() {
    RouteTable t = routes(r("re", "{\"safe_regex\":{\"regex\":\"/abc\"},\"case_sensitive\":false}") + ","
        + r("ci", "{\"safe_regex\":{\"regex\":\"(?i)/abc\"}}"));
    assertThat(matched(t, "/abc")).isEqualTo("re");
    assertThat(matched(t, "/ABC")).isEqualTo("ci");
  }

  @Test
  void pathSeparatedPrefixNeedsSegmentBoundary() {
    RouteTable t = routes(r("sep", "{\"path_separated_prefix\":\"/api\"}"));
    assertThat(matched(t, "/api")).isEqualTo("sep");
    assertThat(matched(t, "/api/")).isEqualTo("sep");
    assertThat(matched(t, "/api/v1")).isEqualTo("sep");
    assertThat(matched(t, "/api?x=1")).isEqualTo("sep");
    assertThat(matched(t, "/api#f")).isEqualTo("sep");
    assertThat(matched(t, "/apix")).isNull();
    assertThat(matched(t, "/ap")).isNull();
  }

  @Test
  void pathSeparatedPrefixCanIgnoreCase() {
    RouteTable t = routes(r("sep", "{\"path_separated_prefix\":\"/api\",\"case_sensitive\":false}"));
    assertThat(matched(t, "/API/v1")).isEqualTo("sep");
    assertThat(matched(t, "/APIX")).isNull();
  }

  @Test
  void firstMatchingRouteWinsInOrder() {
    RouteTable t = routes(r("first", "{\"prefix\":\"/a\"}") + "," + r("second", "{\"prefix\":\"/a/b\"}") + ","
        + r("fallback", "{\"prefix\":\"/\"}"));
    assertThat(matched(t, "/a/b/c")).isEqualTo("first");
    assertThat(matched(t, "/z")).isEqualTo("fallback");
  }

  @Test
  void routeWithoutNameReportsNull() {
    RouteTable t = routes("{\"match\":{\"prefix\":\"/\"},\"route\":{\"cluster\":\"a\"}}");
    RouteEntry e = t.route("h", "/", headers());
    assertThat(e).isNotNull();
    assertThat(e.name()).isNull();
    assertThat(e.virtualHostName()).isEqualTo("vh");
  }

  @Test
  void nullPathMatchesNoRoute() {
    RouteTable t = routes(r("all", "{\"prefix\":\"\"}"));
    assertThat(t.route(null, null, "h", null, headers())).isNull();
  }

  // ---- headers

  private static RouteTable headerRoute(String matcher) {
    return routes(r("h", "{\"prefix\":\"/\",\"headers\":[" + matcher + "]}"));
  }

  @Test
  void headerWithoutSpecifierMeansPresent() {
    RouteTable t = headerRoute("{\"name\":\"x-a\"}");
    assertThat(matched(t, "/", headers("x-a", ""))).isEqualTo("h");
    assertThat(matched(t, "/", headers())).isNull();
  }

  @Test
  void headerExactMatchAndEmptyExactMeaningAnyValue() {
    RouteTable t = headerRoute("{\"name\":\"x-a\",\"exact_match\":\"v1\"}");
    assertThat(matched(t, "/", headers("x-a", "v1"))).isEqualTo("h");
    assertThat(matched(t, "/", headers("x-a", "V1"))).isNull();
    RouteTable any = headerRoute("{\"name\":\"x-a\",\"exact_match\":\"\"}");
    assertThat(matched(any, "/", headers("x-a", "whatever"))).isEqualTo("h");
    assertThat(matched(any, "/", headers())).isNull();
  }

  @Test
  void headerNameIsCaseInsensitive() {
    RouteTable t = headerRoute("{\"name\":\"X-Env\",\"exact_match\":\"prod\"}");
    assertThat(matched(t, "/", headers("x-env", "prod"))).isEqualTo("h");
  }

  @Test
  void headerPrefixSuffixContainsAndRegex() {
    assertThat(matched(headerRoute("{\"name\":\"x\",\"prefix_match\":\"ab\"}"), "/", headers("x", "abc"))).isEqualTo("h");
    assertThat(matched(headerRoute("{\"name\":\"x\",\"prefix_match\":\"ab\"}"), "/", headers("x", "cab"))).isNull();
    assertThat(matched(headerRoute("{\"name\":\"x\",\"suffix_match\":\"bc\"}"), "/", headers("x", "abc"))).isEqualTo("h");
    assertThat(matched(headerRoute("{\"name\":\"x\",\"contains_match\":\"b\"}"), "/", headers("x", "abc"))).isEqualTo("h");
    assertThat(matched(headerRoute("{\"name\":\"x\",\"contains_match\":\"z\"}"), "/", headers("x", "abc"))).isNull();
    RouteTable re = headerRoute("{\"name\":\"x\",\"safe_regex_match\":{\"regex\":\"\\\\d{3}\"}}");
    assertThat(matched(re, "/", headers("x", "123"))).isEqualTo("h");
    assertThat(matched(re, "/", headers("x", "1234"))).isNull();
  }

  @Test
  void headerInvertMatchFlipsValueResultButMissingHeaderStillFails() {
    RouteTable t = headerRoute("{\"name\":\"x\",\"safe_regex_match\":{\"regex\":\"\\\\d{3}\"},\"invert_match\":true}");
    assertThat(matched(t, "/", headers("x", "1234"))).isEqualTo("h");
    assertThat(matched(t, "/", headers("x", "123"))).isNull();
    assertThat(matched(t, "/", headers())).isNull();
  }

  @Test
  void headerTreatMissingAsEmpty() {
    RouteTable inverted = headerRoute(
        "{\"name\":\"x\",\"range_match\":{\"start\":0,\"end\":10},\"invert_match\":true,\"treat_missing_header_as_empty\":true}");
    assertThat(matched(inverted, "/", headers())).isEqualTo("h");
    RouteTable emptyRe = headerRoute(
        "{\"name\":\"x\",\"string_match\":{\"safe_regex\":{\"regex\":\"^$\"}},\"treat_missing_header_as_empty\":true}");
    assertThat(matched(emptyRe, "/", headers())).isEqualTo("h");
    RouteTable strict = headerRoute("{\"name\":\"x\",\"string_match\":{\"safe_regex\":{\"regex\":\"^$\"}}}");
    assertThat(matched(strict, "/", headers())).isNull();
  }

  @Test
  void headerPresentMatchTrueFalseAndInverted() {
    RouteTable present = headerRoute("{\"name\":\"x\",\"present_match\":true}");
    assertThat(matched(present, "/", headers("x", "1"))).isEqualTo("h");
    assertThat(matched(present, "/", headers())).isNull();
    RouteTable absent = headerRoute("{\"name\":\"x\",\"present_match\":false}");
    assertThat(matched(absent, "/", headers())).isEqualTo("h");
    assertThat(matched(absent, "/", headers("x", "1"))).isNull();
    RouteTable invertedPresent = headerRoute("{\"name\":\"x\",\"present_match\":true,\"invert_match\":true}");
    assertThat(matched(invertedPresent, "/", headers())).isEqualTo("h");
    assertThat(matched(invertedPresent, "/", headers("x", "1"))).isNull();
  }

  @Test
  void headerRangeMatchIsHalfOpenSignedInteger() {
    RouteTable t = headerRoute("{\"name\":\"x\",\"range_match\":{\"start\":-10,\"end\":0}}");
    assertThat(matched(t, "/", headers("x", "-1"))).isEqualTo("h");
    assertThat(matched(t, "/", headers("x", "-10"))).isEqualTo("h");
    assertThat(matched(t, "/", headers("x", "0"))).isNull();
    assertThat(matched(t, "/", headers("x", "10.9"))).isNull();
    assertThat(matched(t, "/", headers("x", "-1somestring"))).isNull();
    assertThat(matched(t, "/", headers("x", ""))).isNull();
    assertThat(matched(t, "/", headers("x", "99999999999999999999999"))).isNull();
    RouteTable inverted = headerRoute("{\"name\":\"x\",\"range_match\":{\"start\":-10,\"end\":0},\"invert_match\":true}");
    assertThat(matched(inverted, "/", headers("x", "-1"))).isNull();
    assertThat(matched(inverted, "/", headers("x", "5"))).isEqualTo("h");
  }

  @Test
  void headerStringMatchWithIgnoreCase() {
    RouteTable t = headerRoute("{\"name\":\"x\",\"string_match\":{\"exact\":\"Prod\",\"ignore_case\":true}}");
    assertThat(matched(t, "/", headers("x", "PROD"))).isEqualTo("h");
    assertThat(matched(t, "/", headers("x", "prodx"))).isNull();
    RouteTable pre = headerRoute("{\"name\":\"x\",\"string_match\":{\"prefix\":\"Ab\",\"ignore_case\":true}}");
    assertThat(matched(pre, "/", headers("x", "aBc"))).isEqualTo("h");
    RouteTable suf = headerRoute("{\"name\":\"x\",\"string_match\":{\"suffix\":\"Bc\",\"ignore_case\":true}}");
    assertThat(matched(suf, "/", headers("x", "ABC"))).isEqualTo("h");
    assertThat(matched(suf, "/", headers("x", "C"))).isNull();
    RouteTable con = headerRoute("{\"name\":\"x\",\"string_match\":{\"contains\":\"XY\",\"ignore_case\":true}}");
    assertThat(matched(con, "/", headers("x", "axyb"))).isEqualTo("h");
  }

  @Test
  void repeatedHeaderValuesAreJoinedWithComma() {
    RouteTable t = headerRoute("{\"name\":\"x\",\"exact_match\":\"a,b\"}");
    assertThat(matched(t, "/", headers("x", "a", "x", "b"))).isEqualTo("h");
    assertThat(matched(t, "/", headers("x", "a"))).isNull();
  }

  @Test
  void allHeaderMatchersMustMatch() {
    RouteTable t = routes(r("h", "{\"prefix\":\"/\",\"headers\":[{\"name\":\"a\",\"exact_match\":\"1\"},"
        + "{\"name\":\"b\",\"exact_match\":\"2\"}]}"));
    assertThat(matched(t, "/", headers("a", "1", "b", "2"))).isEqualTo("h");
    assertThat(matched(t, "/", headers("a", "1"))).isNull();
  }

  @Test
  void pseudoHeadersReadRequestLineValues() {
    RouteTable t = routes(r("get", "{\"prefix\":\"/\",\"headers\":[{\"name\":\":method\",\"exact_match\":\"GET\"}]}")
        + "," + r("host", "{\"prefix\":\"/\",\"headers\":[{\"name\":\":authority\",\"suffix_match\":\".internal\"}]}")
        + "," + r("path", "{\"prefix\":\"/\",\"headers\":[{\"name\":\":path\",\"contains_match\":\"debug=1\"}]}")
        + "," + r("https", "{\"prefix\":\"/\",\"headers\":[{\"name\":\":scheme\",\"exact_match\":\"https\"}]}"));
    assertThat(t.route("http", "GET", "x", "/", headers()).name()).isEqualTo("get");
    assertThat(t.route("http", "POST", "svc.internal", "/", headers()).name()).isEqualTo("host");
    assertThat(t.route("http", "POST", "x", "/a?debug=1", headers()).name()).isEqualTo("path");
    assertThat(t.route("https", "POST", "x", "/", headers()).name()).isEqualTo("https");
    assertThat(t.route("http", "POST", "x", "/", headers())).isNull();
  }

  @Test
  void hostHeaderMatcherReadsAuthority() {
    RouteTable t = headerRoute("{\"name\":\"host\",\"exact_match\":\"a.com\"}");
    assertThat(t.route("a.com", "/", headers()).name()).isEqualTo("h");
    assertThat(t.route("b.com", "/", headers())).isNull();
  }

  // ---- query parameters

  private static RouteTable queryRoute(String matcher) {
    return routes(r("q", "{\"prefix\":\"/\",\"query_parameters\":[" + matcher + "]}"));
  }

  @Test
  void queryParameterStringMatchUsesFirstRawValue() {
    RouteTable t = queryRoute("{\"name\":\"debug\",\"string_match\":{\"exact\":\"1\"}}");
    assertThat(matched(t, "/p?debug=1")).isEqualTo("q");
    assertThat(matched(t, "/p?a=b&debug=1&x")).isEqualTo("q");
    assertThat(matched(t, "/p?debug=2&debug=1")).isNull();
    assertThat(matched(t, "/p?debugx=1")).isNull();
    assertThat(matched(t, "/p")).isNull();
    RouteTable raw = queryRoute("{\"name\":\"q\",\"string_match\":{\"exact\":\"a%20b\"}}");
    assertThat(matched(raw, "/?q=a%20b")).isEqualTo("q");
  }

  @Test
  void queryParameterWithoutValueHasEmptyValue() {
    RouteTable t = queryRoute("{\"name\":\"flag\",\"string_match\":{\"exact\":\"\"}}");
    assertThat(matched(t, "/?flag")).isEqualTo("q");
    assertThat(matched(t, "/?flag=")).isEqualTo("q");
    assertThat(matched(t, "/?flag=x")).isNull();
  }

  @Test
  void queryParameterPresentMatch() {
    RouteTable present = queryRoute("{\"name\":\"p\",\"present_match\":true}");
    assertThat(matched(present, "/?p=1")).isEqualTo("q");
    assertThat(matched(present, "/?x=1")).isNull();
    RouteTable absent = queryRoute("{\"name\":\"p\",\"present_match\":false}");
    assertThat(matched(absent, "/?x=1")).isEqualTo("q");
    assertThat(matched(absent, "/?p")).isNull();
    RouteTable noSpecifier = queryRoute("{\"name\":\"p\"}");
    assertThat(matched(noSpecifier, "/?p")).isEqualTo("q");
    assertThat(matched(noSpecifier, "/")).isNull();
  }

  @Test
  void queryParameterRegexAndCaseInsensitiveMatch() {
    RouteTable re = queryRoute("{\"name\":\"id\",\"string_match\":{\"safe_regex\":{\"regex\":\"[0-9]+\"}}}");
    assertThat(matched(re, "/?id=123")).isEqualTo("q");
    assertThat(matched(re, "/?id=12a")).isNull();
    RouteTable ci = queryRoute("{\"name\":\"env\",\"string_match\":{\"prefix\":\"PR\",\"ignore_case\":true}}");
    assertThat(matched(ci, "/?env=prod")).isEqualTo("q");
  }
}
