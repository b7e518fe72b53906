package io.alveolus.model;

/**
 * Result for one image.
 *
 * @param probability     calibrated pneumonia probability in [0,1]
 * @param positive        {@code probability >= threshold} (the manifest threshold or the override passed in)
 * @param threshold       the threshold that was applied
 * @param logit           raw (uncalibrated) network logit
 * @param cam             class activation map for pneumonia, {@code inputSize * inputSize} floats, row-major,
 *                        ReLU'd and divided by its maximum (0..1; all zeros if nothing is positive)
 * @param camSize         side of the square CAM (= inputSize)
 * @param inferenceMillis wall-clock time of the whole batched {@code predict} call that produced this result
 *                        (decode excluded; preprocessing, forward pass and CAM included)
 * @param batchSize       number of images in that call
 */
public record Prediction(double probability, boolean positive, double threshold, double logit, float[] cam,
                         int camSize, double inferenceMillis, int batchSize) {
}
