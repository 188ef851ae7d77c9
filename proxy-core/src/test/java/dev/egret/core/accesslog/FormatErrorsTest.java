package dev.egret.core.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.egret.core.config.ConfigError;
import dev.egret.core.config.ConfigPath;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad formats are rejected with the path and the offending command. */
class FormatErrorsTest {

  private static List<ConfigError> errors(String format) {
    ConfigPath at = ConfigPath.root("log_format.text_format");
    AccessLogFormat f = AccessLogFormat.compileText(format, at);
    assertThat(f).isNull();
    return at.errors();
  }

  @Test
  void unknownCommandIsNamed() {
    List<ConfigError> e = errors("x %NOT_A_COMMAND% y");
    assertThat(e).hasSize(1);
    assertThat(e.get(0).path()).isEqualTo("log_format.text_format");
    assertThat(e.get(0).message()).contains("%NOT_A_COMMAND%");
  }

  @Test
  void everyUnknownCommandIsReported() {
    assertThat(errors("%FOO% %BAR(x)%")).extracting(ConfigError::message)
        .anySatisfy(m -> assertThat(m).contains("%FOO%"))
        .anySatisfy(m -> assertThat(m).contains("%BAR(x)%"));
  }

  @Test
  void lonePercentAndLowercaseAreSyntaxErrors() {
    assertThat(errors("100% done").get(0).message()).contains("position 3");
    assertThat(errors("%start_time%").get(0).message()).contains("position 0");
    assertThat(errors("%START_TIME").get(0).message()).contains("position 0");
  }

  @Test
  void unclosedParenthesisAndBadLength() {
    assertThat(errors("%REQ(host%").get(0).message()).contains("missing ')'");
    assertThat(errors("%REQ(host):x%").get(0).message()).contains("invalid length");
  }

  @Test
  void parametersAndLengthRejectedWhereEnvoyRejectsThem() {
    assertThat(errors("%PROTOCOL(x)%").get(0).message()).contains("%PROTOCOL% does not take");
    assertThat(errors("%ROUTE_NAME:3%").get(0).message()).contains("does not allow a length");
    assertThat(errors("%START_TIME:3%").get(0).message()).contains("does not allow a length");
  }

  @Test
  void headerCommandsNeedOneOrTwoNames() {
    assertThat(errors("%REQ%").get(0).message()).contains("needs a header name");
    assertThat(errors("%RESP()%").get(0).message()).contains("needs a header name");
    assertThat(errors("%REQ(a?b?c)%").get(0).message()).contains("more than one alternative");
  }

  @Test
  void unsupportedStartTimeSpecifier() {
    assertThat(errors("%START_TIME(%Q)%").get(0).message()).contains("'%Q'");
  }

  @Test
  void jsonErrorsNameTheKey() {
    ConfigPath at = ConfigPath.root("log_format.json_format");
    Struct s = Struct.newBuilder()
        .putFields("ok", Value.newBuilder().setStringValue("%RESPONSE_CODE%").build())
        .putFields("bad", Value.newBuilder().setStringValue("%NOPE%").build())
        .putFields("nil", Value.newBuilder().setNullValueValue(0).build())
        .build();
    assertThat(AccessLogFormat.compileJson(s, false, false, at)).isNull();
    assertThat(at.errors()).extracting(ConfigError::path)
        .containsExactly("log_format.json_format.bad", "log_format.json_format.nil");
    assertThat(at.errors().get(0).message()).contains("%NOPE%");
  }
}
