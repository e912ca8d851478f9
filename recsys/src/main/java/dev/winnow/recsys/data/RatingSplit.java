package dev.winnow.recsys.data;

/** Train, validation and test partitions of one rating data set (validation may be empty). */
public record RatingSplit(String name, RatingData train, RatingData validation, RatingData test) {
}
