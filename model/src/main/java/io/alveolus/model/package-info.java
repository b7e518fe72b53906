/**
 * Alveolus pneumonia model: {@link io.alveolus.model.PneumoniaModel} (load the shipped model with
 * {@code loadShipped()}, batched {@code predict}), {@link io.alveolus.model.Preprocessor} (the one preprocessing
 * shared by training and inference, plus {@code decode(byte[])}), {@link io.alveolus.model.Prediction},
 * {@link io.alveolus.model.Heatmaps} (CAM to RGBA PNG) and {@link io.alveolus.model.ModelManifest}
 * ({@code manifest.json}: calibration, threshold, validated threshold range, metrics, data provenance).
 *
 * <p>Runtime: DJL 0.33.0 with the PyTorch 2.5.1 engine; run with {@code -Dai.djl.offline=true} (the CPU native
 * library comes from the {@code pytorch-native-cpu} jar) and set {@code -Dai.djl.pytorch.num_threads} to the
 * cores the process may use. On shared/oversubscribed CPUs also set {@code OMP_WAIT_POLICY=PASSIVE}.
 */
package io.alveolus.model;
