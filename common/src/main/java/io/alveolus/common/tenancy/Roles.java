package io.alveolus.common.tenancy;

/** Realm roles issued by Keycloak; one list for every service. */
public final class Roles {
    public static final String DEVICE = "device";
    public static final String PHYSICIAN = "physician";
    public static final String RADIOLOGIST = "radiologist";
    public static final String TENANT_ADMIN = "tenant-admin";
    public static final String PLATFORM_OPERATOR = "platform-operator";

    private Roles() {
    }
}
