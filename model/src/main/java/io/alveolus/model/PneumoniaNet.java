package io.alveolus.model;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.ndarray.types.Shape;

import java.util.Arrays;

/**
 * Compact ResNet for 1-channel input, built from DJL blocks:
 * stem (5x5 conv stride 2, BN, ReLU, 3x3 max-pool stride 2) &rarr; stages of basic residual blocks
 * (the first block of every stage after the first has stride 2 and a 1x1 projection shortcut) &rarr;
 * global average pooling &rarr; dropout &rarr; linear to one pneumonia logit.
 *
 * <p>The network is a {@link SequentialBlock} with two children: index 0 = features (output N x C x h x w),
 * index 1 = head (GAP, dropout, linear). Class activation maps use the linear weights on the feature map.
 * v2 adds a second output: the applicability logit (is this a frontal chest radiograph like the training data?).
 */
public final class PneumoniaNet {

    private PneumoniaNet() {
    }

    public static SequentialBlock build(ModelManifest.Architecture a) {
        return build(a, 1);
    }

    /** {@code outputs}: 1 = pneumonia logit; 2 = pneumonia and applicability logits (v2). */
    public static SequentialBlock build(ModelManifest.Architecture a, int outputs) {
        SequentialBlock features = new SequentialBlock();
        features.add(conv(a.stemWidth(), 5, 2))
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2), new Shape(1, 1)));
        int in = a.stemWidth();
        for (int s = 0; s < a.widths().length; s++) {
            int w = a.widths()[s];
            for (int b = 0; b < a.blocksPerStage()[s]; b++) {
                int stride = (s > 0 && b == 0) ? 2 : 1;
                features.add(residual(w, stride, stride != 1 || in != w));
                in = w;
            }
        }
        SequentialBlock head = new SequentialBlock()
                .add(Pool.globalAvgPool2dBlock())
                .add(Dropout.builder().optRate(a.dropout()).build())
                .add(Linear.builder().setUnits(outputs).build());
        return new SequentialBlock().add(features).add(head);
    }

    public static ModelManifest.Architecture describe(int stemWidth, int[] widths, int[] blocks, float dropout,
                                                       long parameterCount) {
        String d = "Compact ResNet (basic blocks), 1x" + "HxW grey input: stem conv5x5/2 (" + stemWidth
                + ") + BN + ReLU + maxpool3x3/2; stages widths " + Arrays.toString(widths) + " blocks "
                + Arrays.toString(blocks) + "; global average pooling; dropout " + dropout
                + "; linear -> 1 pneumonia logit";
        return new ModelManifest.Architecture(d, stemWidth, widths, blocks, dropout, parameterCount);
    }

    private static Conv2d conv(int filters, int k, int stride) {
        return Conv2d.builder().setFilters(filters).setKernelShape(new Shape(k, k))
                .optStride(new Shape(stride, stride)).optPadding(new Shape(k / 2, k / 2)).optBias(false).build();
    }

    private static Block residual(int out, int stride, boolean project) {
        SequentialBlock main = new SequentialBlock()
                .add(conv(out, 3, stride))
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(conv(out, 3, 1))
                .add(BatchNorm.builder().build());
        Block shortcut = project
                ? new SequentialBlock().add(conv(out, 1, stride)).add(BatchNorm.builder().build())
                : Blocks.identityBlock();
        return new SequentialBlock()
                .add(new ParallelBlock(list -> new NDList(
                        list.get(0).singletonOrThrow().add(list.get(1).singletonOrThrow())),
                        Arrays.asList(main, shortcut)))
                .add(Activation::relu);
    }
}
