package io.alveolus.persistence;

import io.alveolus.common.tenancy.TenantId;

import java.util.function.Supplier;

/**
 * The tenant whose data the current thread may touch, for work that has no caller token (the worker, scheduled
 * jobs). HTTP requests get their tenant from the verified token instead; see {@link TokenTenantResolver}.
 */
public final class TenantContext {
    private static final ThreadLocal<TenantId> CURRENT = new ThreadLocal<>();

    private TenantContext() {
    }

    public static TenantId current() {
        return CURRENT.get();
    }

    public static <T> T call(TenantId tenant, Supplier<T> work) {
        TenantId previous = CURRENT.get();
        CURRENT.set(tenant);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    public static void run(TenantId tenant, Runnable work) {
        call(tenant, () -> {
            work.run();
            return null;
        });
    }
}
