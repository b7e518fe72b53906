package io.alveolus.common.problem;

import com.fasterxml.jackson.annotation.JsonInclude;

/** RFC 7807 problem details, the one error body every Alveolus API returns. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance) {
    public static final String MEDIA_TYPE = "application/problem+json";
}
