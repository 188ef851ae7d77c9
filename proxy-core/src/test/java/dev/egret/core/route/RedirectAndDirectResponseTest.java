package dev.egret.core.route;

import static dev.egret.core.route.RouteFixtures.headers;
import static dev.egret.core.route.RouteFixtures.routes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RedirectAndDirectResponseTest {
  private static RouteEntry entry(String match, String redirect) {
    RouteTable t = routes("{\"name\":\"r\",\"match\":" + match + ",\"redirect\":" + redirect + "}");
    return t.virtualHosts().get(0).routes().get(0);
  }

  private static RouteEntry entry(String redirect) {
    return entry("{\"prefix\":\"/\"}", redirect);
  }

  @Test
  void httpsRedirectKeepsHostPathQueryAndIs301() {
    RouteEntry e = entry("{\"https_redirect\":true}");
    assertThat(e.actionType()).isEqualTo(ActionType.REDIRECT);
    assertThat(e.redirect().status()).isEqualTo(301);
    assertThat(e.location("http", "example.com", "/a/b?x=1")).isEqualTo("https://example.com/a/b?x=1");
  }

  @Test
  void httpsRedirectDropsDefaultHttpPortOnly() {
    RouteEntry e = entry("{\"https_redirect\":true}");
    assertThat(e.location("http", "example.com:80", "/")).isEqualTo("https://example.com/");
    assertThat(e.location("http", "example.com:8080", "/")).isEqualTo("https://example.com:8080/");
    assertThat(e.location("http", "[::1]:80", "/")).isEqualTo("https://[::1]/");
  }

  @Test
  void schemeRedirectToHttpDropsDefaultHttpsPort() {
    RouteEntry e = entry("{\"scheme_redirect\":\"http\"}");
    assertThat(e.location("https", "example.com:443", "/p")).isEqualTo("http://example.com/p");
  }

  @Test
  void sameSchemeKeepsPort() {
    RouteEntry e = entry("{\"path_redirect\":\"/new\"}");
    assertThat(e.location("http", "example.com:80", "/old")).isEqualTo("http://example.com:80/new");
  }

  @Test
  void hostAndPortRedirect() {
    assertThat(entry("{\"host_redirect\":\"other.com\"}").location("https", "example.com:8443", "/p?q"))
        .isEqualTo("https://other.com/p?q");
    assertThat(entry("{\"port_redirect\":9443}").location("https", "example.com:8443", "/p"))
        .isEqualTo("https://example.com:9443/p");
    assertThat(entry("{\"host_redirect\":\"other.com\",\"port_redirect\":8080}").location("http", "e.com", "/"))
        .isEqualTo("http://other.com:8080/");
  }

  @Test
  void pathRedirectKeepsRequestQueryUnlessItHasItsOwn() {
    assertThat(entry("{\"path_redirect\":\"/new\"}").location("http", "h", "/old?a=1")).isEqualTo("http://h/new?a=1");
    RouteEntry own = entry("{\"path_redirect\":\"/new?b=2\",\"strip_query\":true}");
    assertThat(own.location("http", "h", "/old?a=1")).isEqualTo("http://h/new?b=2");
  }

  @Test
  void pathRedirectWithoutLeadingSlashGetsOne() {
    assertThat(entry("{\"path_redirect\":\"new\"}").location("http", "h", "/old")).isEqualTo("http://h/new");
  }

  @Test
  void stripQueryRemovesRequestQuery() {
    assertThat(entry("{\"https_redirect\":true,\"strip_query\":true}").location("http", "h", "/p?x=1"))
        .isEqualTo("https://h/p");
    assertThat(entry("{\"path_redirect\":\"/n\",\"strip_query\":true}").location("http", "h", "/p?x=1"))
        .isEqualTo("http://h/n");
  }

  @Test
  void prefixRewriteRedirectReplacesMatchedPrefix() {
    RouteEntry e = entry("{\"prefix\":\"/old/\"}", "{\"prefix_rewrite\":\"/new/\"}");
    assertThat(e.location("http", "h", "/old/a/b?x=1")).isEqualTo("http://h/new/a/b?x=1");
  }

  @Test
  void regexRewriteRedirectRewritesPathAndKeepsQuery() {
    RouteEntry e = entry("{\"regex_rewrite\":{\"pattern\":{\"regex\":\"^/v1/(.*)$\"},\"substitution\":\"/v2/\\\\1\"}}");
    assertThat(e.location("http", "h", "/v1/things?x=1")).isEqualTo("http://h/v2/things?x=1");
  }

  @Test
  void responseCodesMapEnum() {
    assertThat(entry("{\"response_code\":\"FOUND\"}").redirect().status()).isEqualTo(302);
    assertThat(entry("{\"response_code\":\"SEE_OTHER\"}").redirect().status()).isEqualTo(303);
    assertThat(entry("{\"response_code\":\"TEMPORARY_REDIRECT\"}").redirect().status()).isEqualTo(307);
    assertThat(entry("{\"response_code\":\"PERMANENT_REDIRECT\"}").redirect().status()).isEqualTo(308);
    assertThat(entry("{\"response_code\":\"MOVED_PERMANENTLY\"}").redirect().status()).isEqualTo(301);
  }

  @Test
  void directResponseWithInlineStringBody() {
    RouteTable t = routes("{\"name\":\"d\",\"match\":{\"prefix\":\"/\"},\"direct_response\":{\"status\":418,"
        + "\"body\":{\"inline_string\":\"I'm a teapot\"}}}");
    RouteEntry e = t.route("h", "/", headers());
    assertThat(e.actionType()).isEqualTo(ActionType.DIRECT_RESPONSE);
    assertThat(e.directResponse().status()).isEqualTo(418);
    assertThat(new String(e.directResponse().bodyBytes(), StandardCharsets.UTF_8)).isEqualTo("I'm a teapot");
    assertThat(e.directResponse().body().toString(StandardCharsets.UTF_8)).isEqualTo("I'm a teapot");
    assertThat(e.directResponse().body().isReadOnly()).isTrue();
    assertThat(e.clusterName(headers(), 0)).isNull();
  }

  @Test
  void directResponseBodyViewsAreIndependentAndNeverReleased() {
    RouteTable t = routes("{\"match\":{\"prefix\":\"/\"},\"direct_response\":{\"status\":200,"
        + "\"body\":{\"inline_bytes\":\"AAEC\"}}}");
    DirectResponse d = t.route("h", "/", headers()).directResponse();
    var first = d.body();
    first.skipBytes(3);
    assertThat(first.release()).isFalse();
    assertThat(d.body().readableBytes()).isEqualTo(3);
    assertThat(d.bodyBytes()).containsExactly(0, 1, 2);
  }

  @Test
  void directResponseWithoutBodyIsEmpty() {
    RouteTable t = routes("{\"match\":{\"prefix\":\"/\"},\"direct_response\":{\"status\":500}}");
    DirectResponse d = t.route("h", "/", headers()).directResponse();
    assertThat(d.status()).isEqualTo(500);
    assertThat(d.bodyLength()).isZero();
  }
}
