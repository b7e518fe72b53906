package io.alveolus.portal.backend;

/** A backend service answered with an error (status passed on to the browser) or could not be reached. */
public class BackendException extends RuntimeException {
    private final int status;

    public BackendException(int status, String detail) {
        super(detail);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
