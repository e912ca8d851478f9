package dev.winnow.recsys.method;

/**
 * Watches a method run's prune events without taking part in them: it sees the student right before each event
 * (trained values, previous masks) and right after it (tightened masks; values rewound or kept). This is where a
 * test checks that a level starts from the rewind point times the mask, or that SP-SAD keeps its trained weights.
 * An observer must not change the student; reading it (e.g. {@link ModuleState#capture}) is fine.
 */
public interface PruneObserver {

    /** Right before prune event {@code event} (1-based, counted over the whole run, SS-SAD's phase 1 included). */
    default void beforePrune(int event, TapModel student) {
    }

    /**
     * Right after prune event {@code event}: masks tightened, values rewound ({@code rewound}: LTH-SAD, LTH,
     * SS-SAD) or kept (SP-SAD), optimiser state reset or zeroed where masked.
     */
    default void afterPrune(int event, TapModel student, boolean rewound) {
    }

    PruneObserver NONE = new PruneObserver() { };
}
