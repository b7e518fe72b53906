package io.alveolus.common.imaging;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the JDK's own PNG/JPEG readers before any third-party ImageIO reader on the classpath. ImageIO probes readers
 * in order until one accepts the input, so the DICOM toolkit's readers (one of which prints to stderr on every
 * probe) are only consulted for what the JDK cannot read.
 */
@ApplicationScoped
public class ImageReaderOrder {

    void onStart(@Observes StartupEvent e) {
        apply();
    }

    public static void apply() {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        List<ImageReaderSpi> jdk = new ArrayList<>();
        List<ImageReaderSpi> others = new ArrayList<>();
        registry.getServiceProviders(ImageReaderSpi.class, false).forEachRemaining(spi ->
                (spi.getClass().getName().startsWith("com.sun.imageio.") ? jdk : others).add(spi));
        for (ImageReaderSpi first : jdk) {
            for (ImageReaderSpi later : others) {
                registry.setOrdering(ImageReaderSpi.class, first, later);
            }
        }
    }
}
