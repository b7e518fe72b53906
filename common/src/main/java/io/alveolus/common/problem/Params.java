package io.alveolus.common.problem;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Query parameters parsed strictly, one way in every service: a value that is not what the parameter means is a
 * 400 problem naming the parameter, never a 404 (JAX-RS' answer to an unconvertible query parameter), never a
 * silent default, never a number that overflows further down.
 */
public final class Params {
    /** The largest page index any list accepts; page * size stays far from overflowing an int or a SQL offset. */
    public static final int MAX_PAGE = 100_000;
    /** Dates outside this range are refused: nothing in the platform predates 1900 or lies beyond 2200. */
    public static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("2200-01-01T00:00:00Z");

    private Params() {
    }

    /** A page window, validated. */
    public record Paging(int page, int size) {
    }

    public static Paging paging(String page, String size, int defaultSize, int maxSize) {
        int p = integer("page", page, 0, 0, MAX_PAGE);
        int s = integer("size", size, defaultSize, 1, maxSize);
        return new Paging(p, s);
    }

    /** A decimal integer in [min, max]; absent or empty: the default. */
    public static int integer(String name, String value, int defaultValue, int min, int max) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        long v;
        if (value.length() > 10 || !value.matches("-?[0-9]+")) {
            throw ProblemException.badRequest(name + " must be a whole number between " + min + " and " + max);
        }
        v = Long.parseLong(value);
        if (v < min || v > max) {
            throw ProblemException.badRequest(name + " must be a whole number between " + min + " and " + max);
        }
        return (int) v;
    }

    /** Exactly {@code true} or {@code false}; absent or empty: null. */
    public static Boolean bool(String name, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        return switch (value) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ProblemException.badRequest(name + " must be true or false");
        };
    }

    public static boolean bool(String name, String value, boolean defaultValue) {
        Boolean b = bool(name, value);
        return b == null ? defaultValue : b;
    }

    /** An ISO-8601 instant between 1900 and 2200; absent or blank: null. */
    public static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        Instant t;
        try {
            t = value.length() > 40 ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            t = null;
        }
        if (t == null) {
            throw ProblemException.badRequest(name + " must be an ISO-8601 instant such as 2026-01-31T00:00:00Z");
        }
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            throw ProblemException.badRequest(name + " must lie between 1900 and 2200");
        }
        return t;
    }

    /** A free-text filter bounded by the column it is compared with (longer can match nothing). */
    public static String text(String name, String value, int maxLength) {
        if (value != null && value.length() > maxLength) {
            throw ProblemException.badRequest(name + " is limited to " + maxLength + " characters");
        }
        return value;
    }
}
