package io.alveolus.common.api;

import java.util.UUID;

/** Ingest's answer: the image and its event are durable; poll the results API with this id. */
public record UploadReceipt(UUID analysisId, String status, String sha256, boolean duplicate) {
}
