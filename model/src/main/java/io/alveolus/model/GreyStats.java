package io.alveolus.model;

/**
 * Statistics of an image's raw grey levels, before any windowing or normalisation: on a 0..1 scale of the stored
 * bit depth (a 12-bit DICOM's 4095 is 1.0), at the model's input size (the resized image the network reads).
 * Computed from the one histogram the percentile window builds anyway ({@link Preprocessor#stats}), so the worker's
 * input-drift monitoring costs no extra pass over the pixels.
 *
 * @param mean mean grey level
 * @param std  standard deviation of the grey levels (population)
 * @param p01  1st percentile (1024-bin histogram resolution)
 * @param p99  99th percentile (same)
 */
public record GreyStats(double mean, double std, double p01, double p99) {

    /** The 1st-99th percentile spread: near 0 for blank or constant images (the gate's blank check). */
    public double spread() {
        return p99 - p01;
    }
}
