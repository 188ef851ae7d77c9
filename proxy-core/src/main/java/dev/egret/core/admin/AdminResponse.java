package dev.egret.core.admin;

import static java.util.Objects.requireNonNull;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A complete admin answer: status, content type and UTF-8 body. */
record AdminResponse(HttpResponseStatus status, String contentType, String body) {
  static final String TEXT = "text/plain; charset=UTF-8";
  static final String JSON = "application/json";

  AdminResponse {
    requireNonNull(status, "status");
    requireNonNull(contentType, "contentType");
    requireNonNull(body, "body");
  }

  static AdminResponse text(HttpResponseStatus status, String body) {
    return new AdminResponse(status, TEXT, body);
  }

  static AdminResponse json(String body) {
    return new AdminResponse(HttpResponseStatus.OK, JSON, body);
  }
}
