package io.alveolus.portal;

import io.alveolus.common.api.AnalysisView;
import io.alveolus.common.events.Priority;
import io.alveolus.portal.web.Row;
import io.alveolus.portal.web.Study;
import io.quarkus.qute.Template;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The portal's own templates render a NOT_APPLICABLE analysis: its reason, and nothing of a reading. */
@QuarkusTest
class NotApplicablePagesTest {
    static final String REASON = "not a frontal chest radiograph (ViewPosition LL)";

    @Inject
    Template study;
    @Inject
    Template worklist;

    static AnalysisView notApplicable() {
        return new AnalysisView(UUID.randomUUID(), "ACC-NA", "PSEUDO-1", "alice", Priority.ROUTINE, "NOT_APPLICABLE",
                null, null, null, "pneumonia-v2", false, null, Instant.now().minusSeconds(60), Instant.now(), null,
                null, null, null, null, REASON, null);
    }

    @Test
    void theStudyPageSaysWhyAndHasNoProbabilityHeatMapFindingOrReviewForm() {
        String html = study.data("s", Study.of(notApplicable(), Instant.now())).data("model", null)
                .data("user", "rachel").data("tenant", "st-marys").data("radiologist", true).render();
        assertTrue(html.contains("id=\"not-applicable\""), html);
        assertTrue(html.contains(REASON), html);
        assertTrue(html.contains("<dd id=\"study-status\">not applicable</dd>"), html);
        for (String absent : List.of("id=\"probability\"", "id=\"finding\"", "id=\"heatmap\"", "overlay-toggle",
                "id=\"review-form\"", "pending")) {
            assertFalse(html.contains(absent), absent + " in\n" + html);
        }
        // the same page for a completed study has the reading and, for a radiologist, the review form
        var done = new AnalysisView(UUID.randomUUID(), "ACC-1", "PSEUDO-1", "alice", Priority.ROUTINE, "COMPLETED",
                0.9, true, 0.5, "pneumonia-v2", true, null, Instant.now(), Instant.now(), 10, null, null, null, null,
                null, "adult");
        String doneHtml = study.data("s", Study.of(done, Instant.now())).data("model", null).data("user", "rachel")
                .data("tenant", "st-marys").data("radiologist", true).render();
        assertTrue(doneHtml.contains("id=\"probability\"") && doneHtml.contains("id=\"review-form\"")
                && !doneHtml.contains("id=\"not-applicable\""), doneHtml);
    }

    @Test
    void theWorklistShowsTheReasonAndFiltersOnIt() {
        var f = new io.alveolus.portal.web.PortalPages.Filters("newest", Row.NOT_APPLICABLE, false, "", 0);
        String html = worklist.data("rows", List.of(Row.of(notApplicable(), Instant.now()))).data("total", 1L)
                .data("pageLabel", 1).data("pages", 1L).data("f", f).data("prev", null).data("next", null)
                .data("user", "rachel").data("tenant", "st-marys").data("radiologist", true).render();
        assertTrue(html.contains("<option value=\"not applicable\" selected>not applicable</option>"), html);
        assertTrue(html.contains("not applicable: " + REASON), html);
        assertFalse(html.contains("badge flag"), html);
        assertFalse(html.contains("%"), html);
    }
}
