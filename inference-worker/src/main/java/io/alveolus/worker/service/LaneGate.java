package io.alveolus.worker.service;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Strict priority between the lanes inside one worker: a routine batch waits to start while an urgent batch
 * runs, and the model runs one batch at a time, so an urgent study waits for at most the routine batch already
 * in the model. Urgent work cannot starve routine work for long because ingest bounds each tenant's urgent lane
 * by its plan's allowance per minute.
 */
@ApplicationScoped
public class LaneGate {
    private int urgentRunning;
    private final Object model = new Object();

    public void urgent(Runnable batch) {
        synchronized (this) {
            urgentRunning++;
        }
        try {
            synchronized (model) {
                batch.run();
            }
        } finally {
            synchronized (this) {
                urgentRunning--;
                notifyAll();
            }
        }
    }

    public void routine(Runnable batch) {
        synchronized (this) {
            while (urgentRunning > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while the urgent lane ran", e);
                }
            }
        }
        synchronized (model) {
            batch.run();
        }
    }

}
