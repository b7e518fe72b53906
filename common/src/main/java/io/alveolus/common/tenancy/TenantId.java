package io.alveolus.common.tenancy;

import java.util.regex.Pattern;

/** A hospital's id: a lower-case slug, safe to use in object keys, topics and SQL. */
public record TenantId(String value) {
    private static final Pattern SLUG = Pattern.compile("^[a-z0-9][a-z0-9-]{1,62}$");

    public TenantId {
        if (value == null || !SLUG.matcher(value).matches()) {
            throw new IllegalArgumentException("not a valid tenant id");
        }
    }

    public static boolean isValid(String value) {
        return value != null && SLUG.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
