package io.alveolus.common.storage;

/** A transient fault of the object store: callers retry or answer 503, never drop the work. */
public class ObjectStoreException extends RuntimeException {
    public ObjectStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
