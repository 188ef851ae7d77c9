package dev.egret.filters.extauthz;

import dev.egret.core.http.filter.HttpFilterCallbacks;
import io.netty.handler.codec.http.HttpRequest;
import java.util.Map;
import java.util.function.Consumer;

/** Asks an authorization server about one request: over gRPC or plain HTTP. */
interface AuthzClient {
  /** Withdraws a check whose answer is no longer wanted. */
  interface Pending {
    void cancel();
  }

  /**
   * Starts a check; call on the stream's event loop. {@code done} is called once, on that event loop
   * (possibly before this method returns), unless the check is cancelled first.
   */
  Pending check(HttpFilterCallbacks callbacks, HttpRequest request, Map<String, String> contextExtensions,
      Consumer<AuthzResult> done);
}
