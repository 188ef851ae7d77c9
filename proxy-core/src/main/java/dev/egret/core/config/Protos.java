package dev.egret.core.config;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

/** Small helpers for the typed configs extensions receive. */
public final class Protos {
  private Protos() {}

  /**
   * {@code any} as a {@code type}, or null after reporting at {@code at} why it cannot be decoded
   * (a type URL that is not {@code type}'s, or bytes that are not one).
   */
  public static <T extends Message> T unpack(Any any, Class<T> type, ConfigPath at) {
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      at.error("cannot decode " + any.getTypeUrl() + ": " + e.getMessage());
      return null;
    }
  }
}
