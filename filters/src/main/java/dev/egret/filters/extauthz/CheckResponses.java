package dev.egret.filters.extauthz;

import com.google.protobuf.Struct;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.QueryParameter;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a gRPC {@code CheckResponse} (rbac-extauthz.md §5.4): {@code status.code} 0 is OK (with the
 * {@code ok_response} changes), any other code is Denied ({@code denied_response} status, 403 when
 * unset, its headers and body). Dynamic metadata is the top-level field unless the deprecated
 * {@code ok_response.dynamic_metadata} is set.
 */
final class CheckResponses {
  private CheckResponses() {}

  static AuthzResult translate(CheckResponse r) {
    Struct metadata = r.hasDynamicMetadata() ? r.getDynamicMetadata() : null;
    if (r.getStatus().getCode() == 0) {
      OkHttpResponse ok = r.getOkResponse();
      if (ok.hasDynamicMetadata()) {
        metadata = ok.getDynamicMetadata();
      }
      List<String[]> set = new ArrayList<>();
      for (QueryParameter q : ok.getQueryParametersToSetList()) {
        set.add(new String[] {q.getKey(), q.getValue()});
      }
      List<String> remove = new ArrayList<>();
      for (String h : ok.getHeadersToRemoveList()) {
        remove.add(h.toLowerCase(Locale.ROOT));
      }
      return new AuthzResult.Ok(ops(ok.getHeadersList(), false), remove, ops(ok.getResponseHeadersToAddList(), true),
          set, ok.getQueryParametersToRemoveList(), metadata);
    }
    DeniedHttpResponse d = r.getDeniedResponse();
    int status = d.getStatus().getCodeValue();
    return new AuthzResult.Denied(status == 0 ? 403 : status, ops(d.getHeadersList(), true), d.getBody(), metadata);
  }

  private static List<HeaderOp> ops(List<HeaderValueOption> options, boolean response) {
    List<HeaderOp> out = new ArrayList<>(options.size());
    for (HeaderValueOption o : options) {
      out.add(HeaderOp.of(o, response));
    }
    return out;
  }
}
