package io.alveolus.persistence.model;

/**
 * What a tenant's images are read with: the active version (its results are the clinicians') and optionally a
 * shadow version (scored beside it, never shown to clinicians).
 */
public record ModelAssignment(String active, String shadow) {
}
