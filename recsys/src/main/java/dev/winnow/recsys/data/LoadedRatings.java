package dev.winnow.recsys.data;

import java.nio.file.Path;

/**
 * A rating data set as loaded (a MovieLens file or the synthetic set): the ratings with dense ids, the raw ids behind
 * them, the source line of every row (the canonical ML-100K folds are defined by line), item titles when the data set
 * has them, and how many bad lines were skipped.
 *
 * @param format       "ml-100k", "ml-1m", "ml-latest" or "synthetic"
 * @param ratingsFile  the file read, or null for the synthetic set
 * @param sourceLine   1-based line in {@code ratingsFile} of each row of {@code ratings}
 * @param itemTitles   title per dense item index, or null when the data set has no item file
 * @param skippedLines lines skipped under {@code --skip-bad-lines} (0 otherwise)
 * @param firstSkipped the message for the first skipped line, or null
 */
public record LoadedRatings(String format, Path ratingsFile, RatingData ratings, RatingScale scale, int[] sourceLine,
                            IdIndex userIds, IdIndex itemIds, String[] itemTitles, int skippedLines,
                            String firstSkipped) {
}
