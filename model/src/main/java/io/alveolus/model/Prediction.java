package io.alveolus.model;

/**
 * Result for one image.
 *
 * @param probability     calibrated pneumonia probability in [0,1] (NaN when the image is not applicable)
 * @param positive        {@code probability >= threshold} (the population's threshold or the override passed in);
 *                        always false when the image is not applicable
 * @param threshold       the threshold that was applied
 * @param logit           raw (uncalibrated) network logit
 * @param camGrid         class activation map for pneumonia at the network's last feature map, {@code camWidth *
 *                        camHeight} raw floats, row-major (b + sum_c w_c F_c; a few dozen numbers): stored with the
 *                        result and rendered only when someone looks at it ({@link Heatmaps}); null without CAM
 * @param camWidth        columns of {@code camGrid}
 * @param camHeight       rows of {@code camGrid}
 * @param inferenceMillis wall-clock time of the batched forward pass that produced this result, CAM included
 *                        (decoding and {@link PneumoniaModel#prepare preparing} the images excluded)
 * @param batchSize       number of images in that call
 * @param applicable      whether the applicability gate lets the model read this image (always true for v1)
 * @param notApplicableReason why the gate refused it (null when applicable)
 * @param applicabilityScore the gate head's probability that this is a frontal chest radiograph (NaN for v1)
 * @param population      the population whose operating point was applied (null for v1)
 */
public record Prediction(double probability, boolean positive, double threshold, double logit, float[] camGrid,
                         int camWidth, int camHeight, double inferenceMillis, int batchSize, boolean applicable,
                         String notApplicableReason, double applicabilityScore, String population) {
}
