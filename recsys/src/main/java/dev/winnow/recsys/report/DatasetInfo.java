package dev.winnow.recsys.report;

/** The "dataset" object of results.json. {@code features} is null for rating data. */
public record DatasetInfo(String name, int trainRows, int testRows, String features) {
}
