package dev.egret.filters.extauthz;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.http.filter.HttpFilterCallbacks;
import dev.egret.core.pool.ConnectionPool;
import dev.egret.core.pool.ResetReason;
import dev.egret.core.pool.UpstreamStream;
import dev.egret.core.pool.UpstreamStreamListener;
import dev.egret.core.router.ClusterRuntime;
import dev.egret.core.upstream.Host;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.concurrent.ScheduledFuture;

/**
 * The HTTP-service form of ext_authz (rbac-extauthz.md §5.3), sent through Egret's own connection pool
 * for the {@code server_uri} cluster on the stream's event loop: the original method, {@code :path} =
 * {@code path_prefix} + original path, the selected headers ({@code :authority}, {@code :method},
 * {@code :path}, {@code content-length}, {@code authorization} always, plus {@code allowed_headers},
 * less {@code disallowed_headers}), {@code content-length: 0}, then
 * {@code authorization_request.headers_to_add}.
 *
 * <p>Answer 200 = OK: response headers named by {@code allowed_upstream_headers} are set on the
 * upstream request, {@code allowed_upstream_headers_to_append} appended, those of
 * {@code allowed_client_headers_on_success} added to the client's response, and those of
 * {@code dynamic_metadata_from_headers} become dynamic metadata. A 5xx, a connection failure or the
 * {@code server_uri.timeout} = Error. Any other status = Denied with that status, body and the headers
 * {@code allowed_client_headers} selects (all but {@code host} when unset).
 */
final class HttpAuthzClient implements AuthzClient {
  /** Denied bodies beyond this are cut (Envoy buffers the authorization response likewise). */
  static final int MAX_RESPONSE_BODY = 64 * 1024;
  private static final Set<String> ALWAYS_SENT = Set.of(":authority", ":method", ":path", "content-length",
      "authorization");
  private static final Set<String> ALWAYS_TO_CLIENT = Set.of(":path", ":status", "content-length",
      "www-authenticate", "location");
  private static final Set<String> NEVER_COPIED = Set.of("host", "content-length", "transfer-encoding",
      "connection", "keep-alive", "upgrade", "te", "proxy-connection");

  /** The compiled {@code http_service}. Selectors may be null (unset). */
  record Settings(String clusterName, String serverAuthority, long timeoutMillis, String pathPrefix,
      HeaderSelector allowedHeaders, HeaderSelector disallowedHeaders, List<String[]> headersToAdd,
      HeaderSelector upstreamHeaders, HeaderSelector upstreamHeadersToAppend, HeaderSelector clientHeaders,
      HeaderSelector clientHeadersOnSuccess, HeaderSelector metadataFromHeaders) {
    Settings {
      headersToAdd = List.copyOf(headersToAdd);
    }
  }

  private final Settings s;
  private final Function<String, ClusterRuntime> clusters;

  HttpAuthzClient(Settings settings, Function<String, ClusterRuntime> clusters) {
    this.s = settings;
    this.clusters = clusters;
  }

  private boolean sent(String name) {
    if (NEVER_COPIED.contains(name) && !name.equals("content-length")) {
      return false;
    }
    if (s.disallowedHeaders() != null && s.disallowedHeaders().matches(name)) {
      return false;
    }
    return ALWAYS_SENT.contains(name) || (s.allowedHeaders() != null && s.allowedHeaders().matches(name));
  }

  @Override
  public Pending check(HttpFilterCallbacks cb, HttpRequest request, Map<String, String> contextExtensions,
      Consumer<AuthzResult> done) {
    ClusterRuntime cluster = clusters.apply(s.clusterName());
    if (cluster == null) {
      done.accept(new AuthzResult.Error("cluster '" + s.clusterName() + "' not found"));
      return () -> { };
    }
    Host host = cluster.chooseHost();
    if (host == null) {
      done.accept(new AuthzResult.Error("cluster '" + s.clusterName() + "' has no healthy host"));
      return () -> { };
    }
    DefaultFullHttpRequest out = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, request.method(),
        s.pathPrefix() + request.uri(), Unpooled.EMPTY_BUFFER);
    HttpHeaders h = out.headers();
    for (Map.Entry<String, String> e : RequestView.headers(request, cb.connection(), this::sent).entrySet()) {
      if (e.getKey().equals(":authority")) {
        h.set(HttpHeaderNames.HOST, e.getValue());
      } else if (!e.getKey().startsWith(":")) {
        h.add(e.getKey(), e.getValue());
      }
    }
    h.set(HttpHeaderNames.CONTENT_LENGTH, 0);
    for (String[] kv : s.headersToAdd()) {
      h.set(kv[0], kv[1]);
    }
    Exchange x = new Exchange(cb.eventLoop(), out, done);
    x.start(cluster, host);
    return x;
  }

  /** Reads the authorization server's answer as a decision. */
  AuthzResult decide(int status, HttpHeaders headers, String body) {
    if (status == 200) {
      List<HeaderOp> up = new ArrayList<>();
      List<HeaderOp> down = new ArrayList<>();
      Struct.Builder md = Struct.newBuilder();
      for (Map.Entry<String, String> e : headers) {
        String n = e.getKey().toLowerCase(Locale.ROOT);
        if (NEVER_COPIED.contains(n)) {
          continue;
        }
        if (s.upstreamHeaders() != null && s.upstreamHeaders().matches(n)) {
          up.add(new HeaderOp(n, e.getValue(), HeaderOp.Kind.SET));
        }
        if (s.upstreamHeadersToAppend() != null && s.upstreamHeadersToAppend().matches(n)) {
          up.add(new HeaderOp(n, e.getValue(), HeaderOp.Kind.APPEND_OR_ADD));
        }
        if (s.clientHeadersOnSuccess() != null && s.clientHeadersOnSuccess().matches(n)) {
          down.add(new HeaderOp(n, e.getValue(), HeaderOp.Kind.ADD));
        }
        if (s.metadataFromHeaders() != null && s.metadataFromHeaders().matches(n)) {
          md.putFields(n, Value.newBuilder().setStringValue(e.getValue()).build());
        }
      }
      return new AuthzResult.Ok(up, List.of(), down, List.of(), List.of(),
          md.getFieldsCount() == 0 ? null : md.build());
    }
    if (status >= 500) {
      return new AuthzResult.Error("authorization server answered " + status);
    }
    List<HeaderOp> client = new ArrayList<>();
    for (Map.Entry<String, String> e : headers) {
      String n = e.getKey().toLowerCase(Locale.ROOT);
      if (NEVER_COPIED.contains(n)) {
        continue;
      }
      if (s.clientHeaders() == null || s.clientHeaders().matches(n) || ALWAYS_TO_CLIENT.contains(n)) {
        client.add(new HeaderOp(n, e.getValue(), HeaderOp.Kind.ADD));
      }
    }
    return new AuthzResult.Denied(status, client, body, null);
  }

  /** One check request on the authorization cluster; lives on the stream's event loop. */
  private final class Exchange implements Pending, UpstreamStreamListener, ConnectionPool.StreamCallback {
    private final EventLoop loop;
    private final HttpRequest request;
    private final Consumer<AuthzResult> done;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private ConnectionPool.Cancellable pendingConnect;
    private UpstreamStream up;
    private ScheduledFuture<?> timer;
    private HttpResponse response;
    private boolean finished;

    Exchange(EventLoop loop, HttpRequest request, Consumer<AuthzResult> done) {
      this.loop = loop;
      this.request = request;
      this.done = done;
    }

    void start(ClusterRuntime cluster, Host host) {
      timer = loop.schedule(this::timedOut, s.timeoutMillis(), TimeUnit.MILLISECONDS);
      ConnectionPool.Cancellable c = cluster.pool(loop, host, s.serverAuthority()).newStream(this, this);
      if (up == null && !finished) {
        pendingConnect = c;
      }
    }

    @Override
    public void cancel() {
      if (finished) {
        return;
      }
      finished = true;
      if (timer != null) {
        timer.cancel(false);
      }
      if (up != null) {
        up.reset();
      } else if (pendingConnect != null) {
        pendingConnect.cancel();
      }
    }

    private void timedOut() {
      if (!finished) {
        cancel();
        done.accept(new AuthzResult.Error("authorization request timed out"));
      }
    }

    private void finish(AuthzResult result) {
      if (finished) {
        return;
      }
      finished = true;
      if (timer != null) {
        timer.cancel(false);
      }
      done.accept(result);
    }

    @Override
    public void onReady(UpstreamStream stream) {
      pendingConnect = null;
      if (finished) {
        stream.reset();
        return;
      }
      up = stream;
      stream.writeHeaders(request);
      stream.read();
    }

    @Override
    public void onFailure(ResetReason reason, String transportFailureReason) {
      pendingConnect = null;
      finish(new AuthzResult.Error("authorization cluster unreachable: " + reason));
    }

    @Override
    public void onResponseHeaders(HttpResponse r) {
      if (r.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
        up.read();
        return;
      }
      response = r;
      if (r instanceof LastHttpContent last) {
        onResponseEnd(last);
      } else {
        up.read();
      }
    }

    @Override
    public void onResponseData(HttpContent data) {
      keep(data.content());
      data.release();
      up.read();
    }

    @Override
    public void onResponseEnd(LastHttpContent last) {
      keep(last.content());
      last.release();
      HttpResponse r = response;
      if (r == null) {
        finish(new AuthzResult.Error("authorization response without headers"));
        return;
      }
      finish(decide(r.status().code(), r.headers(), body.toString(StandardCharsets.UTF_8)));
    }

    private void keep(ByteBuf b) {
      int n = Math.min(b.readableBytes(), MAX_RESPONSE_BODY - body.size());
      if (n > 0) {
        byte[] bytes = new byte[n];
        b.getBytes(b.readerIndex(), bytes);
        body.write(bytes, 0, n);
      }
    }

    @Override
    public void onReset(ResetReason reason, String transportFailureReason) {
      finish(new AuthzResult.Error("authorization request reset: " + reason));
    }

    @Override
    public void onWritabilityChanged(boolean writable) {}
  }
}
