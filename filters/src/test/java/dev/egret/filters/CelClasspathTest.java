package dev.egret.filters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelProtoAbstractSyntaxTree;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.expr.CheckedExpr;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The build keeps one copy of {@code dev.cel.expr.*} (the Envoy api jar's) and drops dev.cel's own;
 * this proves dev.cel still compiles, converts to the proto form Envoy configs carry, and evaluates.
 */
class CelClasspathTest {
  @Test
  void celCompilesToEnvoysProtoFormAndEvaluates() throws Exception {
    CelCompiler compiler = CelCompilerFactory.standardCelCompilerBuilder()
        .addVar("method", SimpleType.STRING)
        .build();
    CelAbstractSyntaxTree ast = compiler.compile("method == 'GET'").getAst();
    CheckedExpr checked = CelProtoAbstractSyntaxTree.fromCelAst(ast).toCheckedExpr();
    assertThat(checked.getExpr().hasCallExpr()).isTrue();
    assertThat(CheckedExpr.class.getProtectionDomain().getCodeSource().getLocation().toString())
        .contains("api-1.0.49");

    CelAbstractSyntaxTree back = CelProtoAbstractSyntaxTree.fromCheckedExpr(checked).getAst();
    CelRuntime runtime = CelRuntimeFactory.standardCelRuntimeBuilder().build();
    assertThat(runtime.createProgram(back).eval(Map.of("method", "GET"))).isEqualTo(true);
    assertThat(runtime.createProgram(back).eval(Map.of("method", "POST"))).isEqualTo(false);
  }
}
