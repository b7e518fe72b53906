package io.alveolus.common.api;

import java.util.List;

/** One page of a list; page numbers start at 0. */
public record Page<T>(List<T> items, int page, int size, long total) {
}
