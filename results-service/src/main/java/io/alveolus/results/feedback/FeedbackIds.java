package io.alveolus.results.feedback;

import io.alveolus.common.problem.ProblemException;

import java.util.UUID;

/** Path ids parsed once: one that cannot be an id is a missing thing (404), as elsewhere. */
final class FeedbackIds {
    private FeedbackIds() {
    }

    static long agreement(String id) {
        if (id == null || !id.matches("[0-9]{1,18}")) {
            throw ProblemException.notFound("data-use agreement");
        }
        return Long.parseLong(id);
    }

    static UUID export(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ProblemException.notFound("feedback export");
        }
    }
}
