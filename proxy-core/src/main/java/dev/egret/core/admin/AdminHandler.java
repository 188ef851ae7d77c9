package dev.egret.core.admin;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Answers one aggregated admin request at a time on its connection. Paths and their behaviour follow
 * Envoy's admin interface; {@code /quitquitquit} changes server state and so requires POST (other
 * methods get 405, as in Envoy), the read-only endpoints answer any method. Unknown paths get 404
 * with the list of endpoints.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  static final String PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  static final String HELP = "admin commands are:\n"
      + "  /: this list of admin commands\n"
      + "  /access_log: recent access-log entries, newest first (?response_flags=URX,UF, ?status=5xx,\n"
      + "      ?cluster=, ?since=ISO-8601, ?limit=, ?format=text|json)\n"
      + "  /clusters: upstream cluster status (?format=json)\n"
      + "  /config_dump: current configuration (?resource=, ?mask=)\n"
      + "  /help: this list of admin commands\n"
      + "  /quitquitquit: exit the server (POST)\n"
      + "  /ready: print server state, return 200 if LIVE, otherwise return 503\n"
      + "  /server_info: server version and state\n"
      + "  /stats: print server stats (?filter=regex, ?format=json|prometheus)\n"
      + "  /stats/prometheus: print server stats in prometheus format\n";

  private final AdminContext admin;

  AdminHandler(AdminContext admin) {
    this.admin = requireNonNull(admin, "admin");
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    if (req.decoderResult().isFailure()) {
      write(ctx, AdminResponse.text(HttpResponseStatus.BAD_REQUEST, "bad request\n"), false, null);
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    Map<String, List<String>> q = uri.parameters();
    String path = uri.path();
    if (path.equals("/quitquitquit")) {
      if (!req.method().equals(HttpMethod.POST)) {
        write(ctx, AdminResponse.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
            "Method " + req.method() + " not allowed, POST required.\n"), keepAlive, null);
        return;
      }
      write(ctx, AdminResponse.text(HttpResponseStatus.OK, "OK\n"), keepAlive, admin::quit);
      return;
    }
    AdminResponse response;
    try {
      response = readOnly(path, q);
    } catch (RuntimeException e) {
      response = AdminResponse.text(HttpResponseStatus.INTERNAL_SERVER_ERROR,
          "admin handler failed: " + e + "\n");
    }
    write(ctx, response, keepAlive, null);
  }

  private AdminResponse readOnly(String path, Map<String, List<String>> q) {
    switch (path) {
      case "/":
      case "/help":
        return AdminResponse.text(HttpResponseStatus.OK, HELP);
      case "/ready":
        return admin.isReady()
            ? AdminResponse.text(HttpResponseStatus.OK, "LIVE\n")
            : AdminResponse.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "PRE_INITIALIZING\n");
      case "/stats/prometheus":
        return prometheus();
      case "/stats":
        return stats(q);
      case "/access_log":
        return AccessLogEndpoint.render(admin.recentAccessLog(), q);
      case "/clusters":
        return "json".equals(param(q, "format"))
            ? AdminResponse.json(ClustersRenderer.json(admin.clusters()))
            : AdminResponse.text(HttpResponseStatus.OK, ClustersRenderer.text(admin.clusters()));
      case "/config_dump":
        return ConfigDumpJson.render(admin.configDump(), admin.typeRegistry(),
            param(q, "resource"), param(q, "mask"));
      case "/server_info": {
        String info = admin.serverInfoJson();
        if (info != null) {
          return AdminResponse.json(info.endsWith("\n") ? info : info + "\n");
        }
        return notFound();
      }
      default:
        return notFound();
    }
  }

  private AdminResponse prometheus() {
    return new AdminResponse(HttpResponseStatus.OK, PROMETHEUS_TYPE, admin.stats().scrape());
  }

  private AdminResponse stats(Map<String, List<String>> q) {
    String format = param(q, "format");
    if ("prometheus".equals(format)) {
      return prometheus();
    }
    Pattern filter = null;
    String regex = param(q, "filter");
    if (regex != null) {
      try {
        filter = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        return AdminResponse.text(HttpResponseStatus.BAD_REQUEST, "Invalid regex: " + e.getDescription() + "\n");
      }
    }
    Map<String, Double> values = PlainStats.collect(admin.stats().registry(), filter);
    if ("json".equals(format)) {
      return AdminResponse.json(PlainStats.json(values));
    }
    return AdminResponse.text(HttpResponseStatus.OK, PlainStats.text(values));
  }

  private static AdminResponse notFound() {
    return AdminResponse.text(HttpResponseStatus.NOT_FOUND, "invalid path. " + HELP);
  }

  private static String param(Map<String, List<String>> q, String name) {
    List<String> v = q.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static void write(ChannelHandlerContext ctx, AdminResponse r, boolean keepAlive, Runnable after) {
    ByteBuf body = ByteBufUtil.writeUtf8(ctx.alloc(), r.body());
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(), body);
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
        .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache, max-age=0")
        .set("x-content-type-options", "nosniff");
    if (!keepAlive) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    ctx.writeAndFlush(res).addListener((ChannelFutureListener) f -> {
      if (after != null) {
        after.run();
      }
      if (!keepAlive) {
        f.channel().close();
      }
    });
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
