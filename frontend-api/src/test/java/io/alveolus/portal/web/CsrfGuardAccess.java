package io.alveolus.portal.web;

/** Test access to the package-private origin check. */
public final class CsrfGuardAccess {
    private CsrfGuardAccess() {
    }

    public static boolean sameHost(String origin, String host) {
        return CsrfGuard.sameHost(origin, host);
    }
}
