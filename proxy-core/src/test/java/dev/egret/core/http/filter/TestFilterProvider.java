package dev.egret.core.http.filter;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import dev.egret.core.config.ConfigPath;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Test filters, configured by a {@code google.protobuf.StringValue} typed_config:
 * {@code deny:HEADER} answers 403 when the request has HEADER; {@code async} holds the request for
 * 20 ms off the stack (as an authorization call would), marks it, and continues it;
 * {@code response-header:NAME} adds NAME to every response; anything else is a config error.
 */
public final class TestFilterProvider implements HttpFilterProvider {
  static final String TYPE = "type.googleapis.com/google.protobuf.StringValue";

  @Override
  public Set<String> typeUrls() {
    return Set.of(TYPE);
  }

  @Override
  public HttpFilterFactory compile(Any typedConfig, ConfigPath at, FilterContext context) {
    String mode;
    try {
      mode = typedConfig.unpack(StringValue.class).getValue();
    } catch (InvalidProtocolBufferException e) {
      at.error("bad test filter config");
      return null;
    }
    if (mode.startsWith("deny:")) {
      String header = mode.substring("deny:".length());
      HttpFilter deny = (cb, req) -> {
        if (req.headers().contains(header)) {
          cb.sendLocalReply(403, "denied by test filter", "test_denied", null, null);
        }
        return HttpFilter.Status.CONTINUE;
      };
      return () -> deny;
    }
    if (mode.equals("async")) {
      return () -> new HttpFilter() {
        @Override
        public Status onRequestHeaders(HttpFilterCallbacks cb, HttpRequest req) {
          cb.eventLoop().schedule(() -> {
            req.headers().set("x-async-checked", cb.route() == null ? "no-route" : "route:" + cb.route().name());
            cb.continueRequest();
          }, 20, TimeUnit.MILLISECONDS);
          return Status.STOP;
        }
      };
    }
    if (mode.startsWith("response-header:")) {
      String name = mode.substring("response-header:".length());
      HttpFilter add = new HttpFilter() {
        @Override
        public Status onRequestHeaders(HttpFilterCallbacks cb, HttpRequest req) {
          return Status.CONTINUE;
        }

        @Override
        public void onResponseHeaders(HttpFilterCallbacks cb, HttpResponse response) {
          response.headers().set(name, "1");
        }
      };
      return () -> add;
    }
    at.error("unknown test filter mode '" + mode + "'");
    return null;
  }
}
