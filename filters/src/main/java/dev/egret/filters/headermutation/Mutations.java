package dev.egret.filters.headermutation;

import static java.util.Objects.requireNonNull;

import dev.egret.core.config.ConfigPath;
import dev.egret.core.config.Fields;
import java.util.Set;

/**
 * A compiled {@code header_mutation.v3.Mutations}: the request and response lists, each applied in
 * order. Also the compiled form of a {@code HeaderMutationPerRoute}. {@code query_parameter_mutations}
 * is refused by path (not implemented).
 */
record Mutations(HeaderOps request, HeaderOps response) {
  static final Mutations NONE = new Mutations(HeaderOps.NONE, HeaderOps.NONE);

  Mutations {
    requireNonNull(request, "request");
    requireNonNull(response, "response");
  }

  /** Compiles; null after reporting errors at {@code at}. */
  static Mutations compile(io.envoyproxy.envoy.extensions.filters.http.header_mutation.v3.Mutations proto,
      ConfigPath at) {
    int before = at.errorCount();
    Fields.allowOnly(proto, at, Set.of("request_mutations", "response_mutations"));
    HeaderOps request = HeaderOps.compile(proto.getRequestMutationsList(), at.field("request_mutations"));
    HeaderOps response = HeaderOps.compile(proto.getResponseMutationsList(), at.field("response_mutations"));
    if (at.errorCount() > before) {
      return null;
    }
    return request.isEmpty() && response.isEmpty() ? NONE : new Mutations(request, response);
  }
}
