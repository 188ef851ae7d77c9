package dev.egret.filters.rbac;

/**
 * The outcome of one engine evaluation. Engines hand out shared instances (one per policy and one
 * for "no policy matched"), so evaluation allocates nothing.
 *
 * @param allowed  whether the request may proceed
 * @param policyId the effective policy (the first matching one in name order), or null when none matched
 * @param details  the local-reply details a denial carries ({@link #deniedDetails(String)})
 */
public record RbacDecision(boolean allowed, String policyId, String details) {
  RbacDecision(boolean allowed, String policyId) {
    this(allowed, policyId, deniedDetails(policyId));
  }

  /**
   * The local-reply details Envoy uses for a denial: {@code rbac_access_denied_matched_policy[ID]}
   * with whitespace in the id replaced by {@code _}, or {@code [none]}.
   */
  public static String deniedDetails(String policyId) {
    if (policyId == null) {
      return "rbac_access_denied_matched_policy[none]";
    }
    StringBuilder sb = new StringBuilder("rbac_access_denied_matched_policy[".length() + policyId.length() + 1)
        .append("rbac_access_denied_matched_policy[");
    for (int i = 0; i < policyId.length(); i++) {
      char c = policyId.charAt(i);
      sb.append(Character.isWhitespace(c) ? '_' : c);
    }
    return sb.append(']').toString();
  }
}
