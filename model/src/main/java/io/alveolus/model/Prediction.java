package io.alveolus.model;

/**
 * Result for one image.
 *
 * @param probability     calibrated pneumonia probability in [0,1] (NaN when the image is not applicable)
 * @param positive        {@code probability >= threshold} (the population's threshold or the override passed in);
 *                        always false when the image is not applicable
 * @param threshold       the threshold that was applied
 * @param logit           raw (uncalibrated) network logit
 * @param cam             class activation map for pneumonia, {@code inputSize * inputSize} floats, row-major,
 *                        ReLU'd and divided by its maximum (0..1; all zeros if nothing is positive)
 * @param camSize         side of the square CAM (= inputSize)
 * @param inferenceMillis wall-clock time of the whole batched {@code predict} call that produced this result
 *                        (decode excluded; preprocessing, forward pass and CAM included)
 * @param batchSize       number of images in that call
 * @param applicable      whether the applicability gate lets the model read this image (always true for v1)
 * @param notApplicableReason why the gate refused it (null when applicable)
 * @param applicabilityScore the gate head's probability that this is a frontal chest radiograph (NaN for v1)
 * @param population      the population whose operating point was applied (null for v1)
 */
public record Prediction(double probability, boolean positive, double threshold, double logit, float[] cam,
                         int camSize, double inferenceMillis, int batchSize, boolean applicable,
                         String notApplicableReason, double applicabilityScore, String population) {

    public Prediction(double probability, boolean positive, double threshold, double logit, float[] cam,
                      int camSize, double inferenceMillis, int batchSize) {
        this(probability, positive, threshold, logit, cam, camSize, inferenceMillis, batchSize, true, null,
                Double.NaN, null);
    }
}
