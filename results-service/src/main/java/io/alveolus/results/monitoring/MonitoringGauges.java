package io.alveolus.results.monitoring;

import io.alveolus.common.metrics.TenantTags;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * The monitor's figures as Prometheus gauges, tagged {@code tenant} (bounded: {@link TenantTags}) and
 * {@code model_version}, e.g. {@code alveolus_monitoring_intensity_psi{tenant="st-marys",model_version="pneumonia-v3"}}.
 * A figure that cannot be computed yet is NaN, which no alert rule's comparison matches. The series of a tenant's
 * version disappear once it no longer runs that version (after a rollout), so an old version's last PSI does not
 * keep an alert firing.
 */
@ApplicationScoped
public class MonitoringGauges {
    /** Gauge name (Micrometer's dotted form) and what it shows. */
    static final Map<String, ToDoubleFunction<Figures>> GAUGES = new java.util.LinkedHashMap<>();

    static {
        GAUGES.put("alveolus.monitoring.intensity.psi", f -> nan(f.intensityPsi()));
        GAUGES.put("alveolus.monitoring.score.psi", f -> nan(f.scorePsi()));
        GAUGES.put("alveolus.monitoring.reference.complete", f -> f.referenceComplete() ? 1 : 0);
        GAUGES.put("alveolus.monitoring.reference.analyses", Figures::referenceAnalyses);
        GAUGES.put("alveolus.monitoring.recent.analyses", Figures::recentAnalyses);
        GAUGES.put("alveolus.monitoring.radiologist.agreement", f -> nan(f.agreement()));
        GAUGES.put("alveolus.monitoring.radiologist.agreement.lower", f -> nan(f.agreementLower()));
        GAUGES.put("alveolus.monitoring.radiologist.agreement.upper", f -> nan(f.agreementUpper()));
        GAUGES.put("alveolus.monitoring.radiologist.reviewed", Figures::reviewed);
        GAUGES.put("alveolus.monitoring.shadow.agreement", f -> nan(f.shadowAgreement()));
        GAUGES.put("alveolus.monitoring.shadow.compared", Figures::shadowCompared);
        GAUGES.put("alveolus.monitoring.gate.rejection.rate", f -> nan(f.gateRejectionRate()));
        GAUGES.put("alveolus.monitoring.gate.rejection.reference", f -> nan(f.referenceGateRejectionRate()));
        GAUGES.put("alveolus.monitoring.gate.analyses", Figures::gateTotal);
    }

    @Inject
    MeterRegistry registry;
    @Inject
    TenantTags tenantTags;

    private record Key(String tenant, String modelVersion) {
    }

    private record Series(AtomicReference<Figures> latest, List<Meter> meters) {
    }

    private final Map<Key, Series> series = new ConcurrentHashMap<>();

    /** The latest run's figures: gauges of new tenant/version pairs registered, those no longer monitored removed. */
    public synchronized void show(List<Figures> run) {
        java.util.Set<Key> seen = new java.util.HashSet<>();
        for (Figures f : run) {
            String tag = tenantTags.of(f.tenant());
            if (TenantTags.OTHER.equals(tag)) {
                continue; // past the tenant-label budget: in the history and the API, not as its own series
            }
            Key key = new Key(f.tenant(), f.modelVersion());
            seen.add(key);
            series.computeIfAbsent(key, k -> register(tag, k.modelVersion(), f)).latest().set(f);
        }
        for (var it = series.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!seen.contains(e.getKey())) {
                e.getValue().meters().forEach(registry::remove);
                it.remove();
            }
        }
    }

    private Series register(String tenantTag, String version, Figures first) {
        AtomicReference<Figures> latest = new AtomicReference<>(first);
        Tags tags = Tags.of("tenant", tenantTag, "model_version", version);
        List<Meter> meters = new ArrayList<>();
        GAUGES.forEach((name, fn) -> meters.add(Gauge.builder(name, latest, r -> fn.applyAsDouble(r.get()))
                .tags(tags).strongReference(true).register(registry)));
        return new Series(latest, meters);
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }
}
