package org.ccespark.deep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.ccespark.features.DjlEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Adam on real DJL PyTorch arrays against the update written out in double precision, with the
 * gradients from DJL's autograd of a quadratic {@code ½ Σ a ⊙ (w − c)²}, whose gradient is
 * {@code a ⊙ (w − c)}.
 */
class AdamOptimizerTest {
  private static final Shape SHAPE = new Shape(2, 3);
  private static final float[] A = {1f, 2f, 0.5f, 3f, 1.5f, 0.25f};
  private static final float[] C = {0.3f, -0.7f, 1.2f, 0f, -2f, 0.9f};

  private Engine engine;
  private NDManager manager;

  @BeforeEach
  void setUp() {
    engine = DjlEngine.get(false);
    manager = engine.newBaseManager(Device.cpu());
  }

  @AfterEach
  void tearDown() {
    manager.close();
  }

  private Parameter parameter(String name, float[] values) {
    NDArray array = manager.create(values, SHAPE);
    array.setRequiresGradient(true);
    return Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optArray(array)
        .build();
  }

  private static float[] start(int salt) {
    float[] w = new float[6];
    for (int k = 0; k < 6; k++) {
      w[k] = (float) Math.sin(1.3 * k + salt) * 1.5f;
    }
    return w;
  }

  /** Backward of the sum of the quadratics of the parameters, in the trainer's pattern. */
  private void backward(List<Parameter> params) {
    try (NDManager tmp = manager.newSubManager();
        GradientCollector gc = engine.newGradientCollector()) {
      NDArray a = tmp.create(A, SHAPE);
      NDArray c = tmp.create(C, SHAPE);
      NDArray loss = null;
      for (Parameter p : params) {
        NDArray term = p.getArray().sub(c).square().mul(a).sum().mul(0.5f);
        term.attach(tmp);
        loss = loss == null ? term : loss.add(term);
        loss.attach(tmp);
      }
      gc.backward(loss);
    }
  }

  private static float[] values(Parameter p) {
    return p.getArray().toFloatArray();
  }

  private static float[] gradient(Parameter p) {
    try (NDArray g = p.getArray().getGradient()) {
      return g.toFloatArray();
    }
  }

  /** Adam with coupled weight decay as torch.optim.Adam, in double. */
  private static final class ReferenceAdam {
    final double lr;
    final double wd;
    final double gradientScale;
    final double[] w;
    final double[] m = new double[6];
    final double[] v = new double[6];
    int t;

    ReferenceAdam(double lr, double wd, float[] start) {
      this(lr, wd, start, 1);
    }

    /** With {@code gradientScale} 0, the loss's gradient is left out (only weight decay). */
    ReferenceAdam(double lr, double wd, float[] start, double gradientScale) {
      this.lr = lr;
      this.wd = wd;
      this.gradientScale = gradientScale;
      w = new double[6];
      for (int k = 0; k < 6; k++) {
        w[k] = start[k];
      }
    }

    void step() {
      t++;
      double bc1 = 1 - Math.pow(0.9, t);
      double bc2 = 1 - Math.pow(0.999, t);
      for (int k = 0; k < 6; k++) {
        double g = gradientScale * A[k] * (w[k] - C[k]) + wd * w[k];
        m[k] = 0.9 * m[k] + 0.1 * g;
        v[k] = 0.999 * v[k] + 0.001 * g * g;
        w[k] -= lr / bc1 * m[k] / (Math.sqrt(v[k]) / Math.sqrt(bc2) + 1e-8);
      }
    }
  }

  private static void assertClose(double[] expected, float[] actual, double tol, String what) {
    for (int k = 0; k < expected.length; k++) {
      assertEquals(expected[k], actual[k], tol, what + " element " + k);
    }
  }

  @Test
  void twoGroupsFollowTorchAdamWithWeightDecayInDouble() {
    Parameter head = parameter("weight", start(0));
    Parameter backbone = parameter("weight", start(1));
    ReferenceAdam refHead = new ReferenceAdam(0.05, 0.01, start(0));
    ReferenceAdam refBackbone = new ReferenceAdam(0.005, 5e-4, start(1));
    List<AdamOptimizer.Group> groups = List.of(
        new AdamOptimizer.Group("head", List.of(head), 0.05, 0.01),
        new AdamOptimizer.Group("backbone", List.of(backbone), 0.005, 5e-4));
    try (AdamOptimizer adam = new AdamOptimizer()) {
      for (int s = 1; s <= 8; s++) {
        backward(List.of(head, backbone));
        adam.step(groups);
        refHead.step();
        refBackbone.step();
        assertEquals(s, adam.steps());
        assertClose(refHead.w, values(head), 2e-6, "head after step " + s);
        assertClose(refBackbone.w, values(backbone), 2e-6, "backbone after step " + s);
      }
      // The parameters moved far enough for the comparison to mean something.
      assertTrue(Math.abs(refHead.w[0] - start(0)[0]) > 0.3, "head moved by about 8 × lr");
    }
  }

  @Test
  void eachGroupUsesItsOwnLearningRate() {
    // Same values, same gradients; Adam's first step moves each weight by lr · sign(g).
    Parameter fast = parameter("weight", start(2));
    Parameter slow = parameter("weight", start(2));
    try (AdamOptimizer adam = new AdamOptimizer()) {
      backward(List.of(fast, slow));
      float[] g = gradient(fast);
      adam.step(List.of(new AdamOptimizer.Group("fast", List.of(fast), 0.1, 0),
          new AdamOptimizer.Group("slow", List.of(slow), 0.001, 0)));
      float[] w0 = start(2);
      float[] wf = values(fast);
      float[] ws = values(slow);
      for (int k = 0; k < 6; k++) {
        assertEquals(-0.1 * Math.signum(g[k]), wf[k] - w0[k], 1e-6, "fast element " + k);
        assertEquals(-0.001 * Math.signum(g[k]), ws[k] - w0[k], 1e-6, "slow element " + k);
      }
    }
  }

  @Test
  void zeroGradientWithWeightDecayShrinksTheWeightsTowardZero() {
    Parameter p = parameter("weight", start(3));
    float[] before = start(3);
    ReferenceAdam reference = new ReferenceAdam(0.01, 0.1, before, 0);
    try (AdamOptimizer adam = new AdamOptimizer()) {
      List<AdamOptimizer.Group> groups = List.of(
          new AdamOptimizer.Group("g", List.of(p), 0.01, 0.1));
      for (int s = 0; s < 3; s++) {
        assertArrayEquals(new float[6], gradient(p), "no backward: the gradient is zero");
        adam.step(groups);
        reference.step();
      }
      float[] after = values(p);
      assertClose(reference.w, after, 1e-6, "decayed weights");
      for (int k = 0; k < 6; k++) {
        // g = wd·w only: each step moves about lr toward zero (Adam normalises the size away).
        assertEquals(Math.signum(before[k]), Math.signum(after[k]), "element " + k);
        assertEquals(Math.abs(before[k]) - 0.03, Math.abs(after[k]), 2e-4, "element " + k);
      }
    }
  }

  @Test
  void collectorAddsGradientsUpSoStepZeroesThem() {
    Parameter p = parameter("weight", start(4));
    float[] w0 = start(4);
    // DJL's PyTorch GradientCollector does not zero gradients: two backward passes add up.
    backward(List.of(p));
    backward(List.of(p));
    float[] twice = gradient(p);
    for (int k = 0; k < 6; k++) {
      assertEquals(2 * A[k] * (w0[k] - C[k]), twice[k], 1e-5, "accumulated element " + k);
    }
    AdamOptimizer.zeroGradients(List.of(new AdamOptimizer.Group("g", List.of(p), 0.1, 0)));
    assertArrayEquals(new float[6], gradient(p));

    // The trainer's loop: collector, backward, close, step; twice. Each step sees its own gradient.
    NDArray array = p.getArray();
    List<AdamOptimizer.Group> groups = List.of(new AdamOptimizer.Group("g", List.of(p), 0.1, 0));
    try (AdamOptimizer adam = new AdamOptimizer()) {
      backward(List.of(p));
      adam.step(groups);
      assertArrayEquals(new float[6], gradient(p), "the step consumed the gradient");
      assertSame(array, p.getArray(), "updated in place");
      assertTrue(p.getArray().hasGradient(), "still a leaf with its gradient attached");
      float[] w1 = values(p);
      backward(List.of(p));
      float[] g1 = gradient(p);
      for (int k = 0; k < 6; k++) {
        assertEquals(A[k] * (w1[k] - C[k]), g1[k], 1e-6, "fresh gradient, element " + k);
      }
      adam.step(groups);
      assertFalse(JniUtils.isGradMode(), "gradient recording stays off outside a collector");
    }
  }

  @Test
  void aStepInsideAnOpenCollectorWorksAndLeavesRecordingOn() {
    Parameter p = parameter("weight", start(5));
    try (AdamOptimizer adam = new AdamOptimizer();
        NDManager tmp = manager.newSubManager();
        GradientCollector gc = engine.newGradientCollector()) {
      NDArray loss = p.getArray().square().sum();
      loss.attach(tmp);
      gc.backward(loss);
      adam.step(List.of(new AdamOptimizer.Group("g", List.of(p), 0.1, 0)));
      assertTrue(JniUtils.isGradMode(), "the collector's recording is restored");
      float[] w0 = start(5);
      float[] w1 = values(p);
      for (int k = 0; k < 6; k++) {
        assertEquals(w0[k] - 0.1 * Math.signum(w0[k]), w1[k], 1e-6, "element " + k);
      }
    }
  }

  @Test
  void aStepOnAnotherThreadRestoresThatThreadsRecordingMode() throws Exception {
    // PyTorch's recording flag is per thread; DJL switches it off only on the thread that loads
    // the engine, so a fresh thread may start with recording on. A step works either way.
    Parameter p = parameter("weight", start(10));
    boolean[] modes = new boolean[2];
    Throwable[] failure = new Throwable[1];
    Thread thread = new Thread(() -> {
      try (AdamOptimizer adam = new AdamOptimizer()) {
        modes[0] = JniUtils.isGradMode();
        backward(List.of(p));
        adam.step(List.of(new AdamOptimizer.Group("g", List.of(p), 0.1, 0)));
        modes[1] = JniUtils.isGradMode();
      } catch (Throwable t) {
        failure[0] = t;
      }
    });
    thread.start();
    thread.join();
    if (failure[0] != null) {
      throw new AssertionError(failure[0]);
    }
    assertEquals(modes[0], modes[1]);
    assertFalse(java.util.Arrays.equals(start(10), values(p)));
  }

  @Test
  void saveAndLoadMidwayResumesBitIdentically() throws IOException {
    // Uninterrupted: six steps.
    Parameter h1 = parameter("weight", start(6));
    Parameter b1 = parameter("bias", start(7));
    float[] uninterruptedHead;
    float[] uninterruptedBackbone;
    try (AdamOptimizer adam = new AdamOptimizer()) {
      for (int s = 0; s < 6; s++) {
        backward(List.of(h1, b1));
        adam.step(groups(h1, b1));
      }
      uninterruptedHead = values(h1);
      uninterruptedBackbone = values(b1);
    }
    // Interrupted after three: the state saved, then loaded into a new optimiser and new
    // parameter objects (a new run rebuilds its network) holding the same values.
    Parameter h2 = parameter("weight", start(6));
    Parameter b2 = parameter("bias", start(7));
    byte[] saved;
    try (AdamOptimizer adam = new AdamOptimizer()) {
      for (int s = 0; s < 3; s++) {
        backward(List.of(h2, b2));
        adam.step(groups(h2, b2));
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      adam.save(out);
      out.write(42); // data after the state is left for the caller
      saved = out.toByteArray();
    }
    Parameter h3 = parameter("weight", values(h2));
    Parameter b3 = parameter("bias", values(b2));
    try (NDManager stateManager = manager.newSubManager();
        AdamOptimizer adam = new AdamOptimizer()) {
      ByteArrayInputStream in = new ByteArrayInputStream(saved);
      adam.load(in, stateManager);
      assertEquals(42, in.read());
      assertEquals(3, adam.steps());
      for (int s = 0; s < 3; s++) {
        backward(List.of(h3, b3));
        adam.step(groups(h3, b3));
      }
      assertEquals(6, adam.steps());
      assertArrayEquals(uninterruptedHead, values(h3));
      assertArrayEquals(uninterruptedBackbone, values(b3));
      assertFalse(java.util.Arrays.equals(start(6), values(h3)));
    }
  }

  private static List<AdamOptimizer.Group> groups(Parameter head, Parameter backbone) {
    return List.of(new AdamOptimizer.Group("head", List.of(head), 0.02, 1e-3),
        new AdamOptimizer.Group("backbone", List.of(backbone), 0.003, 1e-4));
  }

  @Test
  void badSettingsAndInputsFailNamingThem() throws IOException {
    String m = assertThrows(IllegalArgumentException.class,
        () -> new AdamOptimizer.Group("head", List.of(), -0.1, 0)).getMessage();
    assertTrue(m.contains("Learning rate of group 'head'") && m.contains("-0.1"), m);
    m = assertThrows(IllegalArgumentException.class,
        () -> new AdamOptimizer.Group("head", List.of(), Double.NaN, 0)).getMessage();
    assertTrue(m.contains("NaN"), m);
    m = assertThrows(IllegalArgumentException.class,
        () -> new AdamOptimizer.Group("backbone", List.of(), 0.1, Double.POSITIVE_INFINITY))
        .getMessage();
    assertTrue(m.contains("Weight decay of group 'backbone'"), m);
    assertThrows(IllegalArgumentException.class, () -> new AdamOptimizer.Group(" ", List.of(), 0,
        0));
    m = assertThrows(IllegalArgumentException.class, () -> new AdamOptimizer(1.0, 0.999, 1e-8))
        .getMessage();
    assertTrue(m.contains("beta1 must be in [0, 1), got 1.0"), m);
    m = assertThrows(IllegalArgumentException.class, () -> new AdamOptimizer(0.9, -0.1, 1e-8))
        .getMessage();
    assertTrue(m.contains("beta2"), m);
    m = assertThrows(IllegalArgumentException.class, () -> new AdamOptimizer(0.9, 0.999,
        Double.NaN)).getMessage();
    assertTrue(m.contains("eps"), m);

    Parameter p = parameter("weight", start(8));
    NDArray frozenArray = manager.create(start(9), SHAPE);
    Parameter frozen = Parameter.builder().setName("runningMean")
        .setType(Parameter.Type.RUNNING_MEAN).optArray(frozenArray).optRequiresGrad(false).build();
    try (AdamOptimizer adam = new AdamOptimizer()) {
      m = assertThrows(IllegalArgumentException.class, () -> adam.step(List.of(
          new AdamOptimizer.Group("a", List.of(p), 0.1, 0),
          new AdamOptimizer.Group("a", List.of(), 0.1, 0)))).getMessage();
      assertTrue(m.contains("Two parameter groups are named 'a'"), m);
      m = assertThrows(IllegalArgumentException.class, () -> adam.step(List.of(
          new AdamOptimizer.Group("a", List.of(p), 0.1, 0),
          new AdamOptimizer.Group("b", List.of(p), 0.1, 0)))).getMessage();
      assertTrue(m.contains("group 'a'") && m.contains("group 'b'"), m);
      m = assertThrows(IllegalArgumentException.class, () -> adam.step(List.of(
          new AdamOptimizer.Group("bn", List.of(frozen), 0.1, 0)))).getMessage();
      assertTrue(m.contains("parameter 0 ('runningMean') of group 'bn' has no gradient"), m);
      assertEquals(0, adam.steps(), "nothing was stepped");
      assertArrayEquals(start(8), values(p));

      // A state for another shape, and states saved with other settings or not at all.
      adam.step(List.of(new AdamOptimizer.Group("a", List.of(p), 0.1, 0)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      adam.save(out);
      Parameter other = Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
          .optArray(manager.zeros(new Shape(3, 2))).build();
      other.getArray().setRequiresGradient(true);
      m = assertThrows(IllegalArgumentException.class, () -> adam.step(List.of(
          new AdamOptimizer.Group("a", List.of(other), 0.1, 0)))).getMessage();
      assertTrue(m.contains("a/0/weight has shape (3, 2)") && m.contains("(2, 3)"), m);
      try (AdamOptimizer lower = new AdamOptimizer(0.8, 0.999, 1e-8)) {
        m = assertThrows(IOException.class, () -> lower.load(
            new ByteArrayInputStream(out.toByteArray()), manager)).getMessage();
        assertTrue(m.contains("beta1 0.9") && m.contains("0.8"), m);
        m = assertThrows(IOException.class, () -> lower.load(
            new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5}), manager)).getMessage();
        assertTrue(m.contains("Not a saved Adam"), m);
      }
      byte[] truncated = java.util.Arrays.copyOf(out.toByteArray(), out.size() - 10);
      assertThrows(IOException.class, () -> adam.load(new ByteArrayInputStream(truncated),
          manager));
      assertEquals(1, adam.steps(), "a failed load leaves the optimiser as it was");
    }
  }
}
