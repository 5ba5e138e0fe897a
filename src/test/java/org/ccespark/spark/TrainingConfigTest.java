package org.ccespark.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.ccespark.math.Optimizer;
import org.ccespark.selflabel.Method;
import org.ccespark.selflabel.Schedule;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {

  private static TrainingConfig.Builder required() {
    return TrainingConfig.builder().k(4).epochs(3).batchSize(64).stepSize(0.01).weightDecay(0.5)
        .emMaxIter(7).emTol(1e-4).seed(42);
  }

  @Test
  void builderFillsThePaperDefaultsAndTheMethodsLambda() {
    TrainingConfig cfg = required().build();
    assertEquals(new TrainingConfig(4, 100, 3, 64, 0.01, 0.5, Optimizer.Kind.SGD, 0, 7, 1e-4, 42,
        Schedule.MINIBATCH, Method.CCE, TrainingConfig.DEFAULT_PGD_STEP_SIZE,
        TrainingConfig.DEFAULT_SEED_LABEL_WEIGHT, "exact", TrainingConfig.PAPER_INIT, 1, 1.0), cfg);
    assertEquals(25, required().method("sela").build().lambda());
    assertEquals(3, required().method(Method.SELA).lambda(3).build().lambda());
    assertEquals(cfg, cfg.toBuilder().build());
    assertEquals(43, cfg.forRestart(1).seed());
    assertEquals(0.5, cfg.withSeedLabelWeight(0.5).seedLabelWeight());
  }

  @Test
  void builderNamesWhatIsMissingAndChecksTheSchedule() {
    assertEquals("TrainingConfig: not set: k, emTol", assertThrows(IllegalStateException.class,
        () -> TrainingConfig.builder().epochs(3).batchSize(64).stepSize(0.01).weightDecay(0.5)
            .emMaxIter(7).seed(1).build()).getMessage());
    assertEquals("method 'sela' supports schedule minibatch only, not 'fulldata'",
        assertThrows(IllegalArgumentException.class,
            () -> required().method("sela").schedule("fulldata").build()).getMessage());
    assertEquals("optimizer must be sgd or adam, got 'rmsprop'",
        assertThrows(IllegalArgumentException.class,
            () -> required().optimizer("rmsprop")).getMessage());
  }

  @Test
  void settingsPrintUnderTheirCommandLineNames() {
    // the checkpoint's fingerprint compares String.valueOf of each setting
    TrainingConfig cfg = required().method(Method.CCE_PGD).optimizer(Optimizer.Kind.ADAM).build();
    assertEquals("cce-pgd", String.valueOf(cfg.method()));
    assertEquals("adam", String.valueOf(cfg.optimizer()));
    assertEquals("minibatch", String.valueOf(cfg.schedule()));
  }
}
