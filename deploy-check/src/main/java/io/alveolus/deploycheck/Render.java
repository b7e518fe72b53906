package io.alveolus.deploycheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes k8s/&lt;env&gt;/alveolus.yaml for every environment from helm/alveolus.
 * Usage: Render [repoRoot] [write|check]  (check: exit 1 when k8s/ differs from a fresh render, write nothing).
 */
public final class Render {

    private Render() {
    }

    public static void main(String[] args) throws IOException {
        Path root = null;
        boolean check = false;
        for (String a : args) {
            if ("--check".equals(a) || "check".equals(a)) {
                check = true;
            } else if (!"write".equals(a) && !"--write".equals(a)) {
                root = Path.of(a);
            }
        }
        ChartRenderer renderer = new ChartRenderer(root != null ? root : ChartRenderer.locateRepoRoot());
        int stale = 0;
        for (ChartRenderer.Environment env : ChartRenderer.environments()) {
            String content = renderer.renderManifest(env);
            Path file = renderer.manifestFile(env);
            String current = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
            Path shown = renderer.repoRoot().relativize(file);
            if (content.equals(current)) {
                System.out.println("up to date: " + shown);
            } else if (check) {
                System.out.println("STALE: " + shown);
                stale++;
            } else {
                Files.createDirectories(file.getParent());
                Files.writeString(file, content, StandardCharsets.UTF_8);
                System.out.println("wrote: " + shown);
            }
        }
        if (stale > 0) {
            System.out.println(stale + " manifest(s) differ from helm/alveolus: run k8s/render.sh");
            System.exit(1);
        }
    }
}
