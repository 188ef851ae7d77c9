package dev.egret.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.stream.FilterState.Sharing;
import org.junit.jupiter.api.Test;

class FilterStateTest {
  private static FilterState.Value v(String s, boolean readOnly, Sharing sharing) {
    return new FilterState.Value(s, readOnly, sharing);
  }

  @Test
  void streamSeesItsOwnValueFirstThenTheConnections() {
    FilterState conn = FilterState.forConnection();
    conn.setString("a", "conn-a");
    conn.setString("b", "conn-b");
    FilterState stream = new FilterState(conn);
    stream.setString("a", "stream-a");
    assertThat(stream.getString("a")).isEqualTo("stream-a");
    assertThat(stream.getString("b")).isEqualTo("conn-b");
    assertThat(stream.getString("c")).isNull();
    assertThat(conn.getString("a")).isEqualTo("conn-a");
  }

  @Test
  void readOnlyValueIsNotOverwrittenEvenFromAStream() {
    FilterState conn = FilterState.forConnection();
    assertThat(conn.set("io.istio.peer_principal", v("spiffe://a", true, Sharing.NONE))).isTrue();
    FilterState stream = new FilterState(conn);
    assertThat(stream.setString("io.istio.peer_principal", "spiffe://evil")).isFalse();
    assertThat(stream.getString("io.istio.peer_principal")).isEqualTo("spiffe://a");
  }

  @Test
  void onlySharedValuesTravelUpstreamAndSharedOnceArrivesUnshared() {
    FilterState conn = FilterState.forConnection();
    conn.set("once", v("1", false, Sharing.SHARED_WITH_UPSTREAM_CONNECTION));
    conn.set("local", v("x", false, Sharing.NONE));
    FilterState stream = new FilterState(conn);
    stream.set("all", v("2", true, Sharing.SHARED_WITH_UPSTREAM_CONNECTION_ONCE_AND_ALL));
    stream.set("once", v("stream-wins", false, Sharing.SHARED_WITH_UPSTREAM_CONNECTION));

    FilterState up = stream.sharedWithUpstream();
    assertThat(up.own()).containsOnlyKeys("once", "all");
    assertThat(up.getString("once")).isEqualTo("stream-wins");
    assertThat(up.get("once").sharing()).isEqualTo(Sharing.NONE);
    assertThat(up.get("all").sharing()).isEqualTo(Sharing.SHARED_WITH_UPSTREAM_CONNECTION_ONCE_AND_ALL);
    assertThat(up.get("all").readOnly()).isTrue();
    assertThat(up.sharedWithUpstream().own()).containsOnlyKeys("all");
  }

  @Test
  void metadataMergesTheConnectionsNamespaceUnderTheStreams() {
    DynamicMetadata conn = DynamicMetadata.forConnection();
    conn.merge("ns", Struct.newBuilder().putFields("k", str("conn")).putFields("only", str("c")).build());
    DynamicMetadata stream = new DynamicMetadata(conn);
    assertThat(stream.get("ns").getFieldsMap()).containsEntry("k", str("conn"));
    stream.merge("ns", Struct.newBuilder().putFields("k", str("stream")).build());
    stream.merge("ns", Struct.newBuilder().putFields("z", str("later")).build());
    Struct merged = stream.get("ns");
    assertThat(merged.getFieldsMap()).containsEntry("k", str("stream")).containsEntry("only", str("c"))
        .containsEntry("z", str("later"));
    assertThat(stream.get("other")).isNull();
    assertThat(conn.get("ns").getFieldsMap()).containsEntry("k", str("conn"));
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
