package io.alveolus.interop.report;

import io.alveolus.interop.AnalysisResult.Status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One study-level result over a study's images (issue 15): a study often holds several images (PA and lateral,
 * repeats), and the radiologist reports the study. The rule:
 * <ul>
 *   <li>only the images the model analysed (COMPLETED: analysable frontal radiographs) count; the others are listed
 *       with the reason they were not analysed;</li>
 *   <li>the study's result is that of its most suspicious analysed image, the one with the highest probability
 *       relative to its own threshold ({@code p - t}), so pneumonia is present for the study exactly when it is
 *       present on at least one image;</li>
 *   <li>a study whose analysed images are all negative while another image failed or is still being analysed gets
 *       no study-level result ("incomplete"), because a negative study would then claim more than was read;</li>
 *   <li>a study without any analysed image gets "not analysed", never a negative.</li>
 * </ul>
 *
 * @param finding  the study's result, or why there is none
 * @param images   every image of the study known when the result was made, with its own outcome
 * @param pending  images of the study still being analysed
 * @param analysed the images the result rests on (COMPLETED)
 */
public record StudyResult(AiFinding finding, List<Image> images, int pending, List<Image> analysed) {

    /** One image of the study and its own result. */
    public record Image(SourceStudy source, AiFinding finding) {
        public Image {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(finding, "finding");
        }
    }

    public static final String RULE = "Study result: that of the analysed frontal radiograph with the highest"
            + " probability relative to its threshold (pneumonia present if present on any analysed image)";

    public StudyResult {
        images = List.copyOf(images);
        analysed = List.copyOf(analysed);
    }

    public static StudyResult of(List<Image> images, int pending, String modelVersion, Instant at) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a study result needs at least one image");
        }
        String study = images.get(0).source().studyInstanceUid();
        for (Image i : images) {
            if (!i.source().studyInstanceUid().equals(study)) {
                throw new IllegalArgumentException("images of two studies in one study result");
            }
            if (!i.finding().modelVersion().equals(modelVersion)) {
                throw new IllegalArgumentException("an image result of " + i.finding().modelVersion()
                        + " in a study result of " + modelVersion);
            }
        }
        List<Image> analysed = images.stream().filter(i -> i.finding().status() == Status.COMPLETED).toList();
        long failed = images.stream().filter(i -> i.finding().status() == Status.FAILED).count();
        AiFinding finding;
        if (analysed.isEmpty()) {
            finding = failed > 0 || pending > 0
                    ? AiFinding.failed("incomplete: " + (failed + pending) + " of " + (images.size() + pending)
                            + " images failed or are not yet analysed, and none of the others could be read",
                            modelVersion, at)
                    : AiFinding.notApplicable("none of the study's " + images.size() + " images is an analysable"
                            + " frontal chest radiograph", modelVersion, at);
        } else {
            Image worst = analysed.stream().max(Comparator.comparingDouble(
                    (Image i) -> i.finding().probability() - i.finding().threshold())).orElseThrow();
            if (!worst.finding().positive() && (failed > 0 || pending > 0)) {
                finding = AiFinding.failed("incomplete: " + (failed + pending) + " of " + (images.size() + pending)
                        + " images failed or are not yet analysed, and a negative study cannot rest on the others",
                        modelVersion, at);
            } else {
                finding = AiFinding.completed(worst.finding().probability(), worst.finding().threshold(),
                        modelVersion, at);
            }
        }
        return new StudyResult(finding, images, pending, analysed);
    }

    /** The images and outcomes this result covers, in a stable order: what names its revision. */
    public String revision() {
        List<String> parts = new ArrayList<>();
        for (Image i : images) {
            parts.add(i.source().sopInstanceUid() + "=" + i.finding().status());
        }
        parts.sort(null);
        return String.join(",", parts) + ";pending=" + pending;
    }
}
