package dev.egret.filters.extauthz;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import java.util.List;

/** What an authorization server decided about one request, whichever protocol it spoke. */
sealed interface AuthzResult {
  /**
   * Allowed, with changes to make.
   *
   * @param requestHeaders         changes to the request going upstream
   * @param removeHeaders          request headers to remove (lower-case)
   * @param responseHeaders        changes to the response going downstream
   * @param queryToSet             query parameters to set, as key/value pairs
   * @param queryToRemove          query parameter names to remove
   * @param dynamicMetadata        for namespace {@code envoy.filters.http.ext_authz}, or null
   */
  record Ok(List<HeaderOp> requestHeaders, List<String> removeHeaders, List<HeaderOp> responseHeaders,
      List<String[]> queryToSet, List<String> queryToRemove, Struct dynamicMetadata) implements AuthzResult {
    public Ok {
      requestHeaders = List.copyOf(requestHeaders);
      removeHeaders = List.copyOf(removeHeaders);
      responseHeaders = List.copyOf(responseHeaders);
      queryToSet = List.copyOf(queryToSet);
      queryToRemove = List.copyOf(queryToRemove);
    }
  }

  /** Refused: the client gets {@code status}, {@code headers} and {@code body}. */
  record Denied(int status, List<HeaderOp> headers, String body, Struct dynamicMetadata) implements AuthzResult {
    public Denied {
      headers = List.copyOf(headers);
      requireNonNull(body, "body");
    }
  }

  /** No decision: the server could not be reached, answered late, or failed. */
  record Error(String reason) implements AuthzResult {
    public Error {
      requireNonNull(reason, "reason");
    }
  }
}
