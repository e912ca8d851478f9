package dev.winnow.recsys.method;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MethodConfigTest {

    @Test
    void paperPresetIsTable2() {
        Map<Method, MethodConfig> p = MethodPresets.preset("paper-literal");
        MethodConfig lth = p.get(Method.LTH_SAD);
        assertEquals(1200, lth.epochs());
        assertEquals(0.05, lth.pruneRate(), 0);
        assertEquals(75, lth.pruneEvery());
        assertEquals(16, lth.pruneEvents());
        assertArrayEquals(new int[] {170, 340, 510}, lth.milestones());
        assertEquals(50f, lth.beta());
        assertEquals(0.8f, lth.alpha());
        MethodConfig sp = p.get(Method.SP_SAD);
        assertEquals(160, sp.epochs());
        assertEquals(8, sp.pruneEvents());
        assertTrue(sp.structured());
        assertEquals(64, p.get(Method.SAD).batchSize());
        assertEquals(200, p.get(Method.SS_SAD).kdEpochs());
        assertEquals(0.0005f, p.get(Method.SS_SAD).kdLr());
    }

    @Test
    void thePaperReadingsDifferOnlyInTheScheduleAndPaperNamesOneOfThem() {
        Map<Method, MethodConfig> literal = MethodPresets.preset("paper-literal");
        Map<Method, MethodConfig> perRound = MethodPresets.preset("paper-per-round");
        Map<Method, MethodConfig> decay = MethodPresets.preset("paper-decay0.1");
        for (Method m : Method.values()) {
            MethodConfig l = literal.get(m);
            boolean rounds = m == Method.SP_SAD || m == Method.LTH_SAD || m == Method.LTH;
            assertEquals(rounds || l.milestonesPerRound(), perRound.get(m).milestonesPerRound(), m.toString());
            assertEquals(l.milestones().length > 0 ? 0.1f : l.lrDecay(), decay.get(m).lrDecay(), m.toString());
            assertEquals(l.with("milestones_per_round", String.valueOf(perRound.get(m).milestonesPerRound())).asMap(),
                    perRound.get(m).asMap(), m + ": per-round changes nothing else");
            assertEquals(l.with("lr_decay", Float.toString(decay.get(m).lrDecay())).asMap(), decay.get(m).asMap(),
                    m + ": decay 0.1 changes nothing else");
        }
        assertEquals(0.0005f, literal.get(Method.LTH_SAD).lrDecay(), "Table 2's learning decay, read literally");
        for (String name : new String[] {"paper", "paper-literal", "paper-per-round", "paper-decay0.1"}) {
            for (Method m : Method.values()) {
                assertEquals(m.prunes(), MethodPresets.preset(name, false).get(m).pruneEmbeddings(),
                        name + " " + m + ": the whole student is pruned on rating data");
                assertFalse(MethodPresets.preset(name, true).get(m).pruneEmbeddings(), name + " " + m + ": movies");
            }
        }
        assertFalse(MethodPresets.preset("quick").get(Method.LTH_SAD).pruneEmbeddings());
        for (Method m : Method.values()) {
            assertEquals(MethodPresets.preset(MethodPresets.PAPER).get(m).asMap(),
                    MethodPresets.preset("paper").get(m).asMap(), m.toString());
        }
        assertEquals(MethodPresets.PAPER, MethodPresets.canonical(" Paper "));
        assertEquals("quick", MethodPresets.canonical("quick"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MethodPresets.canonical("paper-literl"));
        assertTrue(e.getMessage().contains("'paper-literl'") && e.getMessage().contains("paper-decay0.1"),
                e.getMessage());
    }

    @Test
    void quickRatingPresetTrainsEveryLthLevelOnSadsScheduleDownToADensityBelowOneFifth() {
        Map<Method, MethodConfig> q = MethodPresets.preset("quick");
        MethodConfig sad = q.get(Method.SAD);
        for (Method m : new Method[] {Method.LTH_SAD, Method.LTH}) {
            MethodConfig lth = q.get(m);
            assertEquals(sad.epochs(), lth.pruneEvery(), m + ": a level trains as long as SAD");
            assertArrayEquals(sad.milestones(), lth.milestones(), m + ": with SAD's milestones");
            assertTrue(lth.milestonesPerRound(), m + ": restarted per level");
            // the last level trained has seen pruneEvents - 1 prunes
            double lastLevelDensity = Math.pow(1 - lth.pruneRate(), lth.pruneEvents() - 1);
            assertTrue(lastLevelDensity <= 0.2, m + ": last level density " + lastLevelDensity);
        }
        // the movie preset keeps its own constant-rate 10-epoch levels
        MethodConfig movies = MethodPresets.preset("quick", true).get(Method.LTH_SAD);
        assertEquals(10, movies.pruneEvery());
        assertEquals(0, movies.milestones().length);
        assertEquals(0.2, movies.pruneRate(), 0);
    }

    @Test
    void settingsOverrideByNameAndBadValuesNameTheSetting() {
        MethodConfig c = MethodPresets.quick().get(Method.SAD).with("epochs", "3").with("milestones", "[1, 2]");
        assertEquals(3, c.epochs());
        assertArrayEquals(new int[] {1, 2}, c.milestones());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.with("epochs", "many"));
        assertTrue(e.getMessage().contains("epochs") && e.getMessage().contains("many"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.with("epoch", "3"));
        assertTrue(e.getMessage().contains("unknown setting 'epoch'"), e.getMessage());
    }

    @Test
    void pruneEmbeddingsIsOffByDefaultTakesABooleanAndRefusesAnythingElseNamingIt() {
        MethodConfig c = MethodPresets.quick().get(Method.LTH_SAD);
        assertFalse(c.pruneEmbeddings());
        assertEquals(false, c.asMap().get("prune_embeddings"));
        assertTrue(c.with("prune_embeddings", "true").pruneEmbeddings());
        assertTrue(c.with("prune-embeddings", "yes").pruneEmbeddings());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.with("prune_embeddings", "sometimes"));
        assertEquals("setting 'prune_embeddings': 'sometimes' is not a boolean (true/false)", e.getMessage());
    }

    @Test
    void optimizerTakesLazyAdamAndRefusesUnknownNamesListingTheChoices() {
        MethodConfig c = MethodPresets.quick().get(Method.SAD);
        assertEquals("lazy-adam", c.with("optimizer", "lazy-adam").optimizer());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.with("optimizer", "adagrad"));
        assertTrue(e.getMessage().contains("sgd, adam or lazy-adam") && e.getMessage().contains("adagrad"),
                e.getMessage());
    }

    @Test
    void runFileAppliesGlobalThenPerMethodSettings(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("run.yaml");
        Files.writeString(f, "preset: quick\nseeds: 2\nmethods: [SAD, lth-sad]\nall:\n  batch_size: 128\n"
                + "LTH-SAD:\n  epochs: 9\n  prune_every: 3\n");
        RunFile rf = RunFile.read(f);
        assertEquals(2, rf.seeds());
        assertEquals(java.util.List.of(Method.SAD, Method.LTH_SAD), rf.methods());
        Map<Method, MethodConfig> cfg = rf.apply(MethodPresets.quick());
        assertEquals(128, cfg.get(Method.SAD).batchSize());
        assertEquals(9, cfg.get(Method.LTH_SAD).epochs());
        assertEquals(3, cfg.get(Method.LTH_SAD).pruneEvery());
        Files.writeString(f, "LTHSAD:\n  epochs: 9\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunFile.read(f));
        assertTrue(e.getMessage().contains("LTHSAD"), e.getMessage());
    }

    @Test
    void aKeyGivenTwiceInARunFileIsRefusedNotLastWins(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("run.yaml");
        for (String yaml : new String[] {"seeds: 2\nseeds: 3\n", "all:\n  epochs: 3\n  epochs: 5\n",
            "{\"preset\": \"quick\", \"preset\": \"paper\"}"}) {
            Files.writeString(f, yaml);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunFile.read(f), yaml);
            assertTrue(e.getMessage().contains("Duplicate") && e.getMessage().contains(f.toString()), e.getMessage());
        }
    }

    @Test
    void methodNamesParseCaseInsensitively() {
        assertEquals(Method.LTH_SAD, Method.parse("lth-sad"));
        assertEquals(Method.SS_SAD, Method.parse("SS_SAD"));
        assertThrows(IllegalArgumentException.class, () -> Method.parse("LTH-KD"));
    }

    @Test
    void everyNumericSettingRefusesNanAndItsOutOfRangeValuesNamingTheSetting() {
        MethodConfig c = MethodPresets.quick().get(Method.SS_SAD);
        String[][] bad = {{"lr", "NaN"}, {"lr", "Infinity"}, {"lr", "1e39"}, {"lr", "0"}, {"momentum", "NaN"},
            {"momentum", "-1"}, {"momentum", "1"}, {"weight_decay", "NaN"}, {"weight_decay", "-1"},
            {"weight_decay", "Infinity"}, {"milestones", "[3, 0]"}, {"lr_decay", "NaN"}, {"lr_decay", "0"},
            {"lr_decay", "1.5"}, {"prune_rate", "NaN"}, {"prune_rate", "1.5"}, {"prune_rate", "-0.1"},
            {"prune_every", "0"}, {"rewind_iteration", "-5"}, {"beta", "NaN"}, {"beta", "-1"}, {"alpha", "NaN"},
            {"alpha", "Infinity"}, {"qk_dim", "0"},
            {"target_density", "0"}, {"target_density", "1"}, {"target_density", "2"}, {"target_density", "NaN"},
            {"kd_epochs", "-1"}, {"kd_lr", "NaN"}, {"kd_lr", "-1"}, {"patience", "-1"}, {"epochs", "0"},
            {"batch_size", "1"}, {"structured", "maybe"}, {"prune_schedule", "linear"},
            {"prune_pattern", "3:4"}};
        for (String[] b : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.with(b[0], b[1]),
                    b[0] + "=" + b[1] + " was accepted");
            assertTrue(e.getMessage().contains(b[0]), e.getMessage());
        }
        // the edges that mean something stay allowed
        assertEquals(-1, c.with("rewind_iteration", "-1").rewindIteration());
        assertEquals(0.0, c.with("prune_rate", "0").pruneRate(), 0);
        assertEquals(1f, c.with("lr_decay", "1").lrDecay());
        assertEquals(0f, c.with("momentum", "0").momentum());
        assertEquals(0f, c.with("kd_lr", "0").kdLr(), "kd_lr 0 with kd_epochs > 0 is refused per method by compare");
    }

    @Test
    void temperatureIsNoSettingAndTheRefusalSaysWhy() {
        MethodConfig c = MethodPresets.quick().get(Method.SAD);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.with("temperature", "4"));
        assertTrue(e.getMessage().contains("no setting 'temperature'") && e.getMessage().contains("one rating"),
                e.getMessage());
        assertFalse(c.asMap().containsKey("temperature"), "results files list only settings that are read");
    }

    @Test
    void runFileRefusesRepeatedMethodsAndSeedsThatAreNotAWholeNumber(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("run.yaml");
        Files.writeString(f, "methods: [SAD, lth-sad, sad]\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunFile.read(f));
        assertTrue(e.getMessage().contains("SAD twice"), e.getMessage());
        for (String seeds : new String[] {"0", "2.5", "many"}) {
            Files.writeString(f, "seeds: " + seeds + "\n");
            e = assertThrows(IllegalArgumentException.class, () -> RunFile.read(f), "seeds: " + seeds);
            assertTrue(e.getMessage().contains("seeds must be a whole number >= 1"), e.getMessage());
        }
    }
}
