package dev.egret.filters.cel;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelProtoAbstractSyntaxTree;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.expr.CheckedExpr;
import dev.cel.expr.ParsedExpr;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.egret.core.config.ConfigPath;
import java.util.Map;
import java.util.Optional;

/**
 * A boolean CEL expression compiled once against {@link CelAttributes}: parsed expressions (what
 * kgateway and Envoy's {@code condition} send) are type-checked here; checked ones are checked
 * again against Egret's environment, so a reference Egret cannot supply is refused at compile time
 * rather than failing on every request. A check error or a result type other than {@code bool} is a
 * config error at the expression's path.
 *
 * <p>{@link #test} is true only when the expression evaluates to {@code true}; an evaluation error
 * (a missing header key, an absent attribute, a wrong dynamic type) is false and never throws.
 * Immutable; programs are thread-safe.
 */
public final class CelCondition {
  private static final CelCompiler COMPILER = compiler();
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private final CelRuntime.Program program;
  private final String text;

  private CelCondition(CelRuntime.Program program, String text) {
    this.program = program;
    this.text = text;
  }

  private static CelCompiler compiler() {
    var b = CelCompilerFactory.standardCelCompilerBuilder().setResultType(SimpleType.BOOL);
    for (Map.Entry<String, dev.cel.common.types.CelType> e : CelAttributes.DECLARED.entrySet()) {
      b.addVar(e.getKey(), e.getValue());
    }
    return b.build();
  }

  /** Compiles CEL source text (for tests and tools); null after reporting at {@code at}. */
  public static CelCondition compileSource(String source, ConfigPath at) {
    CelValidationResult r = COMPILER.compile(requireNonNull(source, "source"));
    return finish(r, source, at);
  }

  /** Compiles a {@code cel.expr.ParsedExpr}; null after reporting at {@code at}. */
  public static CelCondition compile(ParsedExpr parsed, ConfigPath at) {
    if (!parsed.hasExpr()) {
      at.field("expr").error("the parsed expression is empty");
      return null;
    }
    if (!ExprIds.distinct(parsed.getExpr())) {
      parsed = ParsedExpr.newBuilder().setExpr(ExprIds.renumber(parsed.getExpr())).build(); // positions dropped
    }
    CelAbstractSyntaxTree ast;
    try {
      ast = CelProtoAbstractSyntaxTree.fromParsedExpr(parsed).getAst();
    } catch (RuntimeException e) {
      at.error("malformed CEL expression: " + e.getMessage());
      return null;
    }
    return check(ast, at);
  }

  /** Compiles a {@code cel.expr.CheckedExpr}, checking it again here; null after reporting. */
  public static CelCondition compile(CheckedExpr checked, ConfigPath at) {
    return compile(ParsedExpr.newBuilder().setExpr(checked.getExpr()).setSourceInfo(checked.getSourceInfo())
        .build(), at);
  }

  /**
   * Compiles the older {@code google.api.expr.v1alpha1} form ({@code Expr}, {@code ParsedExpr} or
   * {@code CheckedExpr}), which has the same wire format as {@code cel.expr}; null after reporting.
   */
  public static CelCondition compileV1alpha1(Message v1alpha1, ConfigPath at) {
    try {
      return switch (v1alpha1.getDescriptorForType().getName()) {
        case "Expr" -> compile(ParsedExpr.newBuilder().setExpr(dev.cel.expr.Expr.parseFrom(
            v1alpha1.toByteString())).build(), at);
        case "ParsedExpr" -> compile(ParsedExpr.parseFrom(v1alpha1.toByteString()), at);
        case "CheckedExpr" -> compile(CheckedExpr.parseFrom(v1alpha1.toByteString()), at);
        default -> throw new IllegalArgumentException(v1alpha1.getDescriptorForType().getFullName());
      };
    } catch (InvalidProtocolBufferException e) {
      at.error("cannot read the CEL expression: " + e.getMessage());
      return null;
    }
  }

  private static CelCondition check(CelAbstractSyntaxTree parsed, ConfigPath at) {
    CelValidationResult r;
    try {
      r = COMPILER.check(parsed);
    } catch (RuntimeException e) {
      at.error("malformed CEL expression: " + e.getMessage());
      return null;
    }
    return finish(r, null, at);
  }

  private static CelCondition finish(CelValidationResult r, String source, ConfigPath at) {
    if (r.hasError()) {
      StringBuilder sb = new StringBuilder("CEL: ");
      boolean undeclared = false;
      for (var issue : r.getErrors()) {
        if (sb.length() > 5) {
          sb.append("; ");
        }
        sb.append(issue.getMessage());
        undeclared |= issue.getMessage().contains("undeclared reference");
      }
      if (undeclared) {
        sb.append(" (Egret's attributes: ").append(String.join(", ", CelAttributes.DECLARED.keySet())).append(')');
      }
      at.error(sb.toString());
      return null;
    }
    try {
      CelAbstractSyntaxTree ast = r.getAst();
      String text = source != null ? source : ast.getSource().getContent().toString();
      return new CelCondition(RUNTIME.createProgram(ast), text);
    } catch (Exception e) {
      at.error("CEL: " + e.getMessage());
      return null;
    }
  }

  /** True iff the expression evaluates to {@code true} against {@code activation}; errors are false. */
  public boolean test(CelActivation activation) {
    try {
      Object v = program.eval(name -> Optional.ofNullable(activation.attribute(name)));
      return Boolean.TRUE.equals(v);
    } catch (CelEvaluationException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return text.isEmpty() ? "CelCondition" : "CelCondition{" + text + "}";
  }
}
