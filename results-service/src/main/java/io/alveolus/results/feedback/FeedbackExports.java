package io.alveolus.results.feedback;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.alveolus.common.problem.ProblemException;
import io.alveolus.common.storage.ObjectStore;
import io.alveolus.common.tenancy.TenantId;
import io.alveolus.persistence.Tenant;
import io.alveolus.persistence.audit.AuditLog;
import io.alveolus.persistence.feedback.DataUseAgreement;
import io.alveolus.persistence.feedback.FeedbackExport;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds a tenant's feedback export: its COMPLETED analyses that a radiologist reviewed, received inside the period
 * of its ACTIVE data-use agreement (and of the request), each de-identified ({@link Deidentifier}) with the
 * radiologist's label, the model's output and a patient key ({@link ExportKey}); then {@code labels.csv} and
 * {@code manifest.json}. Without an ACTIVE agreement nothing is read (409). The zip is written to a temporary file
 * (a tenant's studies need not fit in memory), streamed to {@code platform/feedback-exports/<id>.zip} and recorded
 * with every analysis it considered; the agreement is checked again when the record is written, so one ended while
 * the export ran leaves no export behind. The tenant's trail gets one line per export.
 */
@ApplicationScoped
public class FeedbackExports {
    public static final String NO_AGREEMENT = "urn:alveolus:problem:no-data-use-agreement";
    static final String FORMAT = "alveolus-feedback-export/1";
    private static final Logger LOG = Logger.getLogger(FeedbackExports.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom SHUFFLE = new SecureRandom();

    @Inject
    ObjectStore store;
    @Inject
    AuditLog audit;
    @Inject
    DataUseAgreements agreements;
    @Inject
    EntityManager em;
    /** How long an export's zip is kept before {@link FeedbackExportExpiry} deletes it (the record stays). */
    @ConfigProperty(name = "alveolus.feedback.export-retention", defaultValue = "P90D")
    Duration retention;

    /** One reviewed study as the export reads it: no CAM grid, no free text, no reviewer name. */
    record Study(UUID id, String patientRef, String imageKey, String contentType, String reviewLabel,
                 Double probability, Double threshold, Boolean positive, String modelVersion, String modelSha256,
                 String population, String viewPosition) {
    }

    /** One row of labels.csv. */
    record Label(String sample, String file, String patientKey, String label, String modelLabel, String review,
                 Double probability, Double threshold, String modelVersion, String modelSha256, String population,
                 String viewPosition) {
    }

    record Item(UUID analysisId, String sample, String patientKey, String outcome) {
    }

    public FeedbackExport create(String tenant, Instant from, Instant to, String actor) {
        if (from != null && to != null && !from.isBefore(to)) {
            throw ProblemException.badRequest("from must lie before to");
        }
        DataUseAgreement agreement = QuarkusTransaction.requiringNew().call(() -> {
            if (Tenant.findById(tenant) == null) {
                throw ProblemException.notFound("tenant");
            }
            return agreements.active(tenant).orElseThrow(() -> new ProblemException(409, NO_AGREEMENT, "Conflict",
                    "tenant " + tenant + " has no active data-use agreement: none of its studies may be exported"));
        });
        Instant periodFrom = later(agreement.periodFrom, from);
        Instant periodTo = earlier(agreement.periodTo, to);
        UUID id = UUID.randomUUID();
        Instant createdAt = Instant.now();
        TenantId tenantId = new TenantId(tenant);
        List<Study> studies = QuarkusTransaction.requiringNew().call(() -> eligible(tenant, periodFrom, periodTo));
        Collections.shuffle(studies, SHUFFLE); // sample numbers say nothing about when a study was taken
        ExportKey key = ExportKey.random();

        Path zip = null;
        try {
            zip = Files.createTempFile("feedback-export-", ".zip");
            List<Item> items = new ArrayList<>();
            List<Label> labels = new ArrayList<>();
            Map<String, Integer> counts = new LinkedHashMap<>();
            Map<String, Integer> byLabel = new TreeMap<>();
            Set<String> patients = new HashSet<>();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (OutputStream file = Files.newOutputStream(zip);
                 ZipOutputStream out = new ZipOutputStream(new DigestOutputStream(file, sha))) {
                int n = 0;
                for (Study s : studies) {
                    String sample = String.format("s%05d", ++n);
                    String patientKey = key.patientKey(tenant, s.patientRef());
                    boolean dicom = "application/dicom".equals(s.contentType());
                    byte[] original = original(tenantId, s.imageKey());
                    Deidentifier.Result r = original == null ? new Deidentifier.Unreadable("original deleted")
                            : dicom ? Deidentifier.dicom(original, patientKey, key) : Deidentifier.picture(original);
                    String outcome;
                    if (r instanceof Deidentifier.Included inc) {
                        String name = "images/" + sample + "." + inc.extension();
                        out.putNextEntry(new ZipEntry(name));
                        out.write(inc.bytes());
                        out.closeEntry();
                        labels.add(new Label(sample, name, patientKey, s.reviewLabel(),
                                s.positive() == null ? null : s.positive() ? "PNEUMONIA" : "NO_PNEUMONIA",
                                s.positive() == null ? null
                                        : s.positive() == "PNEUMONIA".equals(s.reviewLabel()) ? "CONFIRMED" : "OVERRULED",
                                s.probability(), s.threshold(), s.modelVersion(), s.modelSha256(), s.population(),
                                s.viewPosition()));
                        counts.merge(dicom ? "dicom" : "png", 1, Integer::sum);
                        byLabel.merge(s.reviewLabel(), 1, Integer::sum);
                        patients.add(patientKey);
                        outcome = "INCLUDED";
                    } else if (r instanceof Deidentifier.BurnedIn) {
                        outcome = "LEFT_OUT_BURNED_IN";
                    } else {
                        // the reason is a class name, never the content
                        LOG.warnf("feedback export %s: analysis %s left out (%s)", id, s.id(),
                                ((Deidentifier.Unreadable) r).why());
                        outcome = "LEFT_OUT_UNREADABLE";
                    }
                    items.add(new Item(s.id(), sample, patientKey, outcome));
                }
                out.putNextEntry(new ZipEntry("labels.csv"));
                out.write(csv(labels).getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
                int included = labels.size();
                int burnedIn = (int) items.stream().filter(i -> i.outcome().equals("LEFT_OUT_BURNED_IN")).count();
                int unreadable = items.size() - included - burnedIn;
                Map<String, Object> manifest = manifest(id, tenant, agreement, periodFrom, periodTo, actor, createdAt,
                        items.size(), included, counts, burnedIn, unreadable, byLabel, patients.size());
                out.putNextEntry(new ZipEntry("manifest.json"));
                out.write(JSON.writeValueAsBytes(manifest));
                out.closeEntry();
            }
            String objectKey = ObjectStore.feedbackExportKey(id);
            store.putFeedbackExport(objectKey, zip);
            long size = Files.size(zip);
            String digest = HexFormat.of().formatHex(sha.digest());
            FeedbackExport saved;
            try {
                saved = QuarkusTransaction.requiringNew().call(() -> record(id, tenant, agreement.id,
                        agreement.termsVersion, periodFrom, periodTo, objectKey, items, size, digest, actor, createdAt));
            } catch (RuntimeException e) {
                store.deleteFeedbackExport(objectKey); // no record, no zip
                throw e;
            }
            audit.system(tenantId, actor, "feedback-export.create", "feedback_export", id.toString());
            LOG.infof("feedback export %s of tenant %s: %d included, %d left out (burned-in annotation), %d unreadable",
                    id, tenant, saved.included, saved.leftOutBurnedIn, saved.leftOutUnreadable);
            return saved;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (zip != null) {
                try {
                    Files.deleteIfExists(zip);
                } catch (IOException ignored) {
                    // a temporary file of de-identified data; the OS cleans its temp directory
                }
            }
        }
    }

    /** The stored original; null when it is gone (retention deleted it after the list was read). */
    private byte[] original(TenantId tenant, String imageKey) {
        try {
            return store.get(tenant, imageKey);
        } catch (ProblemException e) {
            if (e.status() == 404) {
                return null;
            }
            throw e;
        }
    }

    /** Native SQL naming its tenant (the operator's request has none for Hibernate's filter); oldest first. */
    @SuppressWarnings("unchecked")
    List<Study> eligible(String tenant, Instant from, Instant to) {
        String sql = """
                select id, patient_ref, image_key, content_type, review_label, probability, threshold, positive,
                       model_version, model_sha256, population, view_position
                from analysis
                where tenant = :tenant and status = 'COMPLETED' and review_label is not null"""
                + (from == null ? "" : " and received_at >= :from")
                + (to == null ? "" : " and received_at < :to")
                + " order by received_at, id";
        var q = em.createNativeQuery(sql).setParameter("tenant", tenant);
        if (from != null) {
            q.setParameter("from", Timestamp.from(from));
        }
        if (to != null) {
            q.setParameter("to", Timestamp.from(to));
        }
        List<Study> studies = new ArrayList<>();
        for (Object[] r : (List<Object[]>) q.getResultList()) {
            studies.add(new Study((UUID) r[0], (String) r[1], (String) r[2], (String) r[3], (String) r[4],
                    r[5] == null ? null : ((Number) r[5]).doubleValue(), r[6] == null ? null : ((Number) r[6]).doubleValue(),
                    (Boolean) r[7], (String) r[8], (String) r[9], (String) r[10], (String) r[11]));
        }
        return studies;
    }

    private FeedbackExport record(UUID id, String tenant, long agreementId, String terms, Instant from, Instant to,
                                  String objectKey, List<Item> items, long size, String sha256, String actor,
                                  Instant createdAt) {
        DataUseAgreement still = DataUseAgreement.findById(agreementId, jakarta.persistence.LockModeType.PESSIMISTIC_READ);
        if (still == null || !DataUseAgreement.ACTIVE.equals(still.status)) {
            throw new ProblemException(409, NO_AGREEMENT, "Conflict",
                    "the data-use agreement of tenant " + tenant + " ended while the export ran; nothing was exported");
        }
        FeedbackExport e = new FeedbackExport();
        e.id = id;
        e.tenant = tenant;
        e.agreementId = agreementId;
        e.termsVersion = terms;
        e.periodFrom = from;
        e.periodTo = to;
        e.objectKey = objectKey;
        e.included = (int) items.stream().filter(i -> i.outcome().equals("INCLUDED")).count();
        e.leftOutBurnedIn = (int) items.stream().filter(i -> i.outcome().equals("LEFT_OUT_BURNED_IN")).count();
        e.leftOutUnreadable = items.size() - e.included - e.leftOutBurnedIn;
        e.sizeBytes = size;
        e.sha256 = sha256;
        e.createdBy = actor;
        e.createdAt = createdAt;
        e.expiresAt = createdAt.plus(retention);
        e.persist();
        em.flush();
        for (Item i : items) {
            em.createNativeQuery("""
                    insert into feedback_export_item (export_id, analysis_id, sample, patient_key, outcome)
                    values (:export, :analysis, :sample, :patient, :outcome)""")
                    .setParameter("export", id).setParameter("analysis", i.analysisId())
                    .setParameter("sample", i.sample()).setParameter("patient", i.patientKey())
                    .setParameter("outcome", i.outcome()).executeUpdate();
        }
        return e;
    }

    private static Map<String, Object> manifest(UUID id, String tenant, DataUseAgreement a, Instant from, Instant to,
                                                String actor, Instant createdAt, int considered, int included,
                                                Map<String, Integer> formats, int burnedIn, int unreadable,
                                                Map<String, Integer> byLabel, int patients) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("exportId", id.toString());
        m.put("createdAt", createdAt.toString());
        m.put("createdBy", actor);
        m.put("tenant", tenant);
        Map<String, Object> period = new LinkedHashMap<>();
        period.put("from", from == null ? null : from.toString());
        period.put("to", to == null ? null : to.toString());
        period.put("basis", "when the study was received; the agreement's period intersected with the request's");
        m.put("period", period);
        Map<String, Object> agreement = new LinkedHashMap<>();
        agreement.put("id", a.id);
        agreement.put("scope", a.scope);
        agreement.put("termsVersion", a.termsVersion);
        agreement.put("requestedBy", a.requestedBy);
        agreement.put("grantedBy", a.grantedBy);
        agreement.put("grantedAt", a.grantedAt == null ? null : a.grantedAt.toString());
        m.put("agreement", agreement);
        m.put("selection", "COMPLETED analyses reviewed by a radiologist, received inside the period");
        m.put("reviewerRole", "radiologist");
        m.put("label", "label: the radiologist's final reading (PNEUMONIA or NO_PNEUMONIA), recorded when confirming"
                + " or overruling the model; modelLabel, probability, threshold, modelVersion, modelSha256: the"
                + " model's output as recorded with the result; review: CONFIRMED or OVERRULED");
        m.put("patientKey", "HMAC-SHA-256 (128 bits) of the tenant's patient pseudonym under a key made for this"
                + " export and discarded: the same patient has the same key within this export only, so splits can be"
                + " patient-disjoint; it cannot be linked back to the pseudonym nor to another export");
        Map<String, Object> deid = new LinkedHashMap<>();
        deid.put("dicom", Deidentifier.PROFILE + " with the Retain Patient Characteristics Option (age, sex):"
                + " identifying attributes removed or emptied, dates and times removed, private attributes, overlays"
                + " and curves removed, instance UIDs replaced by 2.25 UIDs consistent within this export, PatientID ="
                + " patientKey, PatientIdentityRemoved YES, DeidentificationMethod set; pixel data as encoded");
        deid.put("burnedInAnnotation", "DICOM images whose BurnedInAnnotation is not NO (absent included) are left"
                + " out: pixels are not cleaned");
        deid.put("pictures", "PNG and JPEG uploads re-encoded as PNG without metadata");
        m.put("deidentification", deid);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("considered", considered);
        c.put("included", included);
        c.put("dicom", formats.getOrDefault("dicom", 0));
        c.put("png", formats.getOrDefault("png", 0));
        c.put("leftOutBurnedInAnnotation", burnedIn);
        c.put("leftOutUnreadable", unreadable);
        c.put("patients", patients);
        c.put("labels", byLabel);
        m.put("counts", c);
        m.put("files", Map.of("labels", "labels.csv", "images", "images/"));
        return m;
    }

    static final String CSV_HEADER = "sample,file,patient_key,label,model_label,review,probability,threshold,"
            + "model_version,model_sha256,population,view_position";

    private static String csv(List<Label> labels) {
        StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
        for (Label l : labels) {
            b.append(String.join(",", cell(l.sample()), cell(l.file()), cell(l.patientKey()), cell(l.label()),
                    cell(l.modelLabel()), cell(l.review()), cell(l.probability()), cell(l.threshold()),
                    cell(l.modelVersion()), cell(l.modelSha256()), cell(l.population()), cell(l.viewPosition())))
                    .append('\n');
        }
        return b.toString();
    }

    /** RFC 4180 quoting where needed; null is empty. */
    private static String cell(Object v) {
        if (v == null) {
            return "";
        }
        String s = v.toString();
        return s.matches("[A-Za-z0-9._/-]*") ? s : "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static Instant later(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
    }

    /** Deletes the zips of exports past their expiry, keeps their records; returns how many. */
    public int expire(Instant now) {
        List<FeedbackExport> due = QuarkusTransaction.requiringNew().call(() -> FeedbackExport.<FeedbackExport>list(
                "expiresAt <= ?1 and deletedAt is null", now));
        for (FeedbackExport e : due) {
            store.deleteFeedbackExport(e.objectKey);
            QuarkusTransaction.requiringNew().run(() -> FeedbackExport.update("deletedAt = ?1 where id = ?2", now, e.id));
            audit.system(new TenantId(e.tenant), "feedback-export-expiry", "feedback-export.expire",
                    "feedback_export", e.id.toString());
        }
        return due.size();
    }
}
