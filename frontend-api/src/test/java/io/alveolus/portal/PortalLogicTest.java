package io.alveolus.portal;

import io.alveolus.common.api.AnalysisView;
import io.alveolus.common.events.AnalysisCompleted;
import io.alveolus.common.events.Priority;
import io.alveolus.portal.live.LiveResults;
import io.alveolus.portal.web.CsrfGuardAccess;
import io.alveolus.portal.web.Row;
import io.alveolus.portal.web.Study;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rules of the portal that need no server: tenant filter of live events, CSRF origin check, row wording. */
class PortalLogicTest {

    static AnalysisCompleted event(String tenant) {
        return new AnalysisCompleted(UUID.randomUUID(), tenant, "ACC", "COMPLETED", 0.9, true, "v1", null, Instant.now(), Instant.now(), 10, 1000L, 500L, false);
    }

    @Test
    void liveEventsGoOnlyToTheirOwnTenant() {
        assertTrue(LiveResults.visibleTo(event("st-marys"), "st-marys"));
        assertFalse(LiveResults.visibleTo(event("st-marys"), "northside"));
        assertFalse(LiveResults.visibleTo(event("st-marys"), null), "a user without a tenant sees nothing");
        assertFalse(LiveResults.visibleTo(event(null), "st-marys"));
        assertFalse(LiveResults.visibleTo(event(""), ""));
        assertFalse(LiveResults.visibleTo(null, "st-marys"));
    }

    @Test
    void stateChangingCallsMustComeFromThePortalsOwnOrigin() {
        assertTrue(CsrfGuardAccess.sameHost("http://127.0.0.1:18280", "127.0.0.1:18280"));
        assertTrue(CsrfGuardAccess.sameHost("https://portal.example", "portal.example"));
        assertFalse(CsrfGuardAccess.sameHost("http://evil.example", "127.0.0.1:18280"));
        assertFalse(CsrfGuardAccess.sameHost("http://127.0.0.1:9999", "127.0.0.1:18280"));
        assertFalse(CsrfGuardAccess.sameHost("null", "127.0.0.1:18280"));
    }

    static AnalysisView view(String status, Double p, Boolean positive, String review, Priority priority) {
        return new AnalysisView(UUID.randomUUID(), "ACC-1", "PSEUDO-1", "alice", priority, status, p, positive, 0.19,
                "v1", p != null, null, Instant.now().minusSeconds(600), null, 10, review,
                review == null ? null : "looks clear", review == null ? null : "rachel", review == null ? null : Instant.now());
    }

    @Test
    void rowsSayStatusResultAndReviewInTheClinicsWords() {
        Row done = Row.of(view("COMPLETED", 0.873, true, "NO_PNEUMONIA", Priority.URGENT), Instant.now());
        assertEquals("done", done.status());
        assertEquals("87.3% flagged", done.result());
        assertTrue(done.flagged());
        assertTrue(done.urgent());
        assertEquals("overruled: no pneumonia (rachel)", done.review());
        assertEquals("10 min ago", done.age());
        Row confirmed = Row.of(view("COMPLETED", 0.05, false, "NO_PNEUMONIA", Priority.ROUTINE), Instant.now());
        assertEquals("confirmed: no pneumonia (rachel)", confirmed.review());
        assertEquals("5.0% not flagged", confirmed.result());
        Row queued = Row.of(view("QUEUED", null, null, null, null), Instant.now());
        assertEquals("queued", queued.status());
        assertEquals("pending", queued.result());
        assertEquals("", queued.review());
        assertEquals("failed", Row.status("FAILED"));
        assertEquals("COMPLETED", Row.apiStatus("done"));
        assertEquals(null, Row.apiStatus("drop table"));
        assertEquals("2026-01-31 10:05 UTC", Row.when(Instant.parse("2026-01-31T10:05:59Z")));
    }

    static AnalysisView notApplicable(String reason, Double p, Boolean positive, Double threshold, boolean heatmap) {
        return new AnalysisView(UUID.randomUUID(), "ACC-NA", "PSEUDO-1", "alice", Priority.ROUTINE, "NOT_APPLICABLE",
                p, positive, threshold, "pneumonia-v2", heatmap, null, Instant.now().minusSeconds(60),
                Instant.now(), null, null, null, null, null, reason, null);
    }

    @Test
    void notApplicableRowsAndStudiesShowTheReasonAndNothingOfAReading() {
        Row row = Row.of(notApplicable("lateral view (ViewPosition LL)", null, null, null, false), Instant.now());
        assertEquals("not applicable", row.status());
        assertEquals("not applicable: lateral view (ViewPosition LL)", row.result());
        assertFalse(row.flagged());
        assertEquals("not applicable", Row.of(notApplicable(null, null, null, null, false), Instant.now()).result());
        // the filter: the portal's word and the API's status map both ways
        assertEquals("NOT_APPLICABLE", Row.apiStatus(Row.status("NOT_APPLICABLE")));
        assertEquals(null, Row.apiStatus("NOT_APPLICABLE"), "only the portal's own words are accepted");

        Study study = Study.of(notApplicable("lateral view (ViewPosition LL)", null, null, null, false), Instant.now());
        assertTrue(study.notApplicable());
        assertEquals("lateral view (ViewPosition LL)", study.notApplicableReason());
        assertFalse(study.done(), "not done: no review form");
        assertFalse(study.failed());
        assertEquals("", study.probability());
        assertEquals("", study.finding());
        assertEquals("", study.threshold());
        assertFalse(study.heatmap());
        assertFalse(study.flagged());

        // even a view that (wrongly) carried a reading shows none of it for a not-applicable analysis
        AnalysisView leaky = notApplicable("blank image", 0.97, true, 0.5, true);
        Row leakyRow = Row.of(leaky, Instant.now());
        assertEquals("not applicable: blank image", leakyRow.result());
        assertFalse(leakyRow.flagged());
        Study leakyStudy = Study.of(leaky, Instant.now());
        assertEquals("", leakyStudy.probability());
        assertEquals("", leakyStudy.finding());
        assertEquals("", leakyStudy.threshold());
        assertFalse(leakyStudy.heatmap());
        assertFalse(leakyStudy.flagged());

        // a completed study keeps its reading and has no reason
        Study done = Study.of(view("COMPLETED", 0.873, true, null, Priority.ROUTINE), Instant.now());
        assertTrue(done.done());
        assertFalse(done.notApplicable());
        assertEquals("87.3%", done.probability());
        assertEquals(null, done.notApplicableReason());
    }

    @Test
    void aReadingForAnAgeTheModelWasNotValidatedForSaysSo() {
        for (Boolean validated : new Boolean[]{true, false, null}) {
            var a = new AnalysisView(UUID.randomUUID(), "ACC-AGE", "PSEUDO-1", "alice", Priority.ROUTINE, "COMPLETED",
                    0.4, false, 0.17, "pneumonia-v2", true, null, Instant.now().minusSeconds(60), Instant.now(), 10,
                    null, null, null, null, null, validated == null ? null : "adult", validated);
            Study s = Study.of(a, Instant.now());
            assertEquals(validated == null ? null : "adult", s.population());
            assertEquals(Boolean.FALSE.equals(validated), s.ageNotValidated(), "validated=" + validated);
        }
    }
}
