package org.ccespark.deep;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Adam (Kingma and Ba, 2015) over DJL parameter arrays, with parameter groups as in
 * {@code torch.optim.Adam}: each {@link Group} has its own learning rate and its own coupled L2
 * weight decay. The paper's appendix E.2 trains its networks with Adam and separate rates for the
 * classifier head and the backbone; this class is that optimiser for the deep trainer.
 *
 * <p>One {@link #step} does, for every parameter {@code w} with gradient {@code g} (PyTorch's
 * single-tensor Adam, {@code foreach=False, amsgrad=False, maximize=False}, which is what it runs
 * on CPU), with the step count {@code t} starting at 1:
 *
 * <pre>
 *   g  = g + weightDecay · w                       (coupled L2 decay, not AdamW)
 *   m  = β1 · m + (1 − β1) · g
 *   v  = β2 · v + (1 − β2) · g²
 *   w  = w − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
 * </pre>
 *
 * <p>The bias corrections and the place of ε are PyTorch's (ε is added after the second moment is
 * bias-corrected), not DJL's own {@code ai.djl.training.optimizer.Adam}, which adds ε before the
 * correction. PyTorch computes {@code m} as {@code m.lerp(g, 1 − β1)}; here it is the algebraically
 * equal multiply-add, so results agree with PyTorch to float rounding, not bit for bit. The
 * arithmetic is in the parameters' own data type (float32 for the networks here); {@code m} and
 * {@code v} have the parameter's type and device.
 *
 * <p>Updates are in place on {@link Parameter#getArray()}: the arrays stay the same native tensors,
 * leaves with their gradient attached, so the network needs nothing re-attached after a step. As
 * in {@code torch.no_grad()} (and in DJL's native Adam), gradient recording is switched off during
 * the step and restored afterwards.
 *
 * <p><b>Gradients are consumed.</b> DJL's PyTorch {@code GradientCollector} does <em>not</em> zero
 * gradients when it is created (DJL 0.36 disabled that), so successive {@code backward} calls add
 * up. {@link #step} therefore zeroes each parameter's gradient after using it, as DJL's own
 * optimisers do in the PyTorch engine: the usual loop
 * {@code try (GradientCollector gc = engine.newGradientCollector()) { gc.backward(loss); }
 * optimizer.step(groups);} sees each batch's gradient alone. Several {@code backward} calls before
 * one step add up (useful for a loss in parts); call {@link #zeroGradients} to drop gradients
 * without stepping. Unlike PyTorch, a parameter that received no gradient is still stepped with a
 * zero gradient (its moments decay and weight decay applies), because DJL reports a missing
 * gradient as zeros.
 *
 * <p>State: {@code m} and {@code v} per parameter, keyed by the group's name, the parameter's
 * position in the group and its name (not DJL's random parameter id, so that a state saved by one
 * run fits the same network built again by another), and one step count for all groups. Pass the
 * same groups, in the same order, to every step. {@link #save} and {@link #load} write and read the
 * state exactly, so that steps after a load are bit-identical to steps without the interruption.
 *
 * <p>Not thread-safe. {@link #close} releases the moment arrays.
 */
public final class AdamOptimizer implements AutoCloseable {
  /** Default β1, PyTorch's. */
  public static final double DEFAULT_BETA1 = 0.9;
  /** Default β2, PyTorch's. */
  public static final double DEFAULT_BETA2 = 0.999;
  /** Default ε, PyTorch's. */
  public static final double DEFAULT_EPS = 1e-8;

  private static final int MAGIC = 0x43434541; // "CCEA"
  private static final int VERSION = 1;

  private final double beta1;
  private final double beta2;
  private final double eps;
  private long steps;
  /** Moments by state key, in the order first seen (so that saving is deterministic). */
  private final Map<String, Moments> state = new LinkedHashMap<>();

  /**
   * A set of parameters sharing a learning rate and a weight decay, as a PyTorch parameter group.
   *
   * @param name the group's name, unique among the groups of a step (for example {@code head},
   *     {@code backbone}); it keys the saved state
   * @param parameters the parameters, initialised and with gradients attached; the list's order
   *     keys the saved state
   * @param learningRate the step size {@code lr}, at least 0 and finite
   * @param weightDecay the coupled L2 coefficient added to the gradient ({@code g += wd·w}), at
   *     least 0 and finite
   */
  public record Group(String name, List<Parameter> parameters, double learningRate,
      double weightDecay) {
    /**
     * Checks the values and copies the list.
     *
     * @throws IllegalArgumentException naming the group and the bad value
     */
    public Group {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("A parameter group needs a non-blank name.");
      }
      Objects.requireNonNull(parameters, () -> "parameters of group '" + name + "'");
      for (int i = 0; i < parameters.size(); i++) {
        if (parameters.get(i) == null) {
          throw new IllegalArgumentException("Parameter " + i + " of group '" + name
              + "' is null.");
        }
      }
      parameters = List.copyOf(parameters);
      if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
        throw new IllegalArgumentException("Learning rate of group '" + name
            + "' must be finite and at least 0, got " + learningRate + ".");
      }
      if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
        throw new IllegalArgumentException("Weight decay of group '" + name
            + "' must be finite and at least 0, got " + weightDecay + ".");
      }
    }
  }

  /** First and second moment of one parameter. */
  private record Moments(NDArray m, NDArray v) {}

  /** An optimiser with PyTorch's defaults: β1 0.9, β2 0.999, ε 1e-8. */
  public AdamOptimizer() {
    this(DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPS);
  }

  /**
   * An optimiser with the given decay rates and ε (checked as {@code torch.optim.Adam} does).
   *
   * @param beta1 decay of the first moment, in [0, 1)
   * @param beta2 decay of the second moment, in [0, 1)
   * @param eps added to the denominator, finite and at least 0
   * @throws IllegalArgumentException naming the bad value
   */
  public AdamOptimizer(double beta1, double beta2, double eps) {
    checkBeta("beta1", beta1);
    checkBeta("beta2", beta2);
    if (!(eps >= 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("Adam's eps must be finite and at least 0, got " + eps
          + ".");
    }
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  private static void checkBeta(String name, double beta) {
    if (!(beta >= 0 && beta < 1)) {
      throw new IllegalArgumentException("Adam's " + name + " must be in [0, 1), got " + beta
          + ".");
    }
  }

  /**
   * One Adam step over all groups (the update in the class comment, with {@code t = steps() + 1}),
   * in place, then each parameter's gradient set to zero.
   *
   * @param groups the groups, the same ones in the same order at every step
   * @throws IllegalArgumentException if group names repeat, a parameter is in two places, is not
   *     initialised, has no gradient attached, is not floating point, or does not match the shape of
   *     its loaded state; nothing is updated then
   */
  public void step(List<Group> groups) {
    List<Parameter> params = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    List<Group> owners = new ArrayList<>();
    validate(groups, params, keys, owners);
    for (int i = 0; i < params.size(); i++) {
      Moments s = state.get(keys.get(i));
      Shape shape = params.get(i).getArray().getShape();
      if (s != null && !s.m().getShape().equals(shape)) {
        throw new IllegalArgumentException("Parameter " + keys.get(i) + " has shape " + shape
            + " but its optimiser state has " + s.m().getShape() + " (a state loaded for another"
            + " network, or groups passed in another order).");
      }
    }
    long t = steps + 1;
    double bias1 = 1 - Math.pow(beta1, t);
    double bias2Sqrt = Math.sqrt(1 - Math.pow(beta2, t));
    boolean restoreGradMode = noGrad(params);
    try {
      for (int i = 0; i < params.size(); i++) {
        NDArray w = params.get(i).getArray();
        Group group = owners.get(i);
        Moments s = state.get(keys.get(i));
        if (s == null) {
          s = new Moments(w.zerosLike(), w.zerosLike());
          state.put(keys.get(i), s);
        } else if (!s.m().getDevice().equals(w.getDevice())) {
          Moments moved = new Moments(s.m().toDevice(w.getDevice(), true),
              s.v().toDevice(w.getDevice(), true));
          s.m().close();
          s.v().close();
          s = moved;
          state.put(keys.get(i), s);
        }
        update(w, s, group.learningRate(), group.weightDecay(), bias1, bias2Sqrt);
      }
      steps = t;
      zero(params);
    } finally {
      if (restoreGradMode) {
        JniUtils.setGradMode(true);
      }
    }
  }

  /** The update of one parameter; every temporary array is closed. */
  private void update(NDArray w, Moments s, double lr, double weightDecay, double bias1,
      double bias2Sqrt) {
    try (NDArray grad = w.getGradient()) { // a new handle on the gradient, not the gradient itself
      NDArray g = grad;
      NDArray decayed = null;
      try {
        if (weightDecay != 0) {
          try (NDArray scaled = w.mul((float) weightDecay)) {
            decayed = grad.add(scaled);
          }
          g = decayed;
        }
        s.m().muli((float) beta1);
        try (NDArray part = g.mul((float) (1 - beta1))) {
          s.m().addi(part);
        }
        s.v().muli((float) beta2);
        try (NDArray square = g.mul(g)) {
          square.muli((float) (1 - beta2));
          s.v().addi(square);
        }
        try (NDArray denominator = s.v().sqrt()) {
          denominator.divi((float) bias2Sqrt).addi((float) eps);
          try (NDArray delta = s.m().div(denominator)) {
            delta.muli((float) (lr / bias1));
            w.subi(delta);
          }
        }
      } finally {
        if (decayed != null) {
          decayed.close();
        }
      }
    }
  }

  /**
   * Sets the gradient of every parameter of the groups to zero (PyTorch's {@code zero_grad}), for a
   * caller that ran {@code backward} and wants to discard the result without stepping.
   *
   * @param groups the groups
   * @throws IllegalArgumentException as {@link #step}
   */
  public static void zeroGradients(List<Group> groups) {
    List<Parameter> params = new ArrayList<>();
    validate(groups, params, new ArrayList<>(), new ArrayList<>());
    boolean restore = noGrad(params);
    try {
      zero(params);
    } finally {
      if (restore) {
        JniUtils.setGradMode(true);
      }
    }
  }

  private static void zero(List<Parameter> params) {
    for (Parameter p : params) {
      NDArray w = p.getArray();
      if (w instanceof PtNDArray pt) {
        JniUtils.zeroGrad(pt);
      } else {
        try (NDArray g = w.getGradient()) {
          g.muli(0);
        }
      }
    }
  }

  /**
   * Switches PyTorch's gradient recording off for the calling thread if it is on (in-place updates
   * of leaves that require gradients are errors while recording).
   *
   * @return whether it was on, so the caller turns it back on
   */
  private static boolean noGrad(List<Parameter> params) {
    if (!params.isEmpty() && params.get(0).getArray() instanceof PtNDArray
        && JniUtils.isGradMode()) {
      JniUtils.setGradMode(false);
      return true;
    }
    return false;
  }

  /** Checks the groups and lists their parameters with their state keys and groups. */
  private static void validate(List<Group> groups, List<Parameter> params, List<String> keys,
      List<Group> owners) {
    Objects.requireNonNull(groups, "groups");
    Set<String> names = new HashSet<>();
    Map<Parameter, String> seen = new IdentityHashMap<>();
    for (Group group : groups) {
      Objects.requireNonNull(group, "group");
      if (!names.add(group.name())) {
        throw new IllegalArgumentException("Two parameter groups are named '" + group.name()
            + "'.");
      }
      List<Parameter> list = group.parameters();
      for (int i = 0; i < list.size(); i++) {
        Parameter p = list.get(i);
        String where = "parameter " + i + " ('" + p.getName() + "') of group '" + group.name()
            + "'";
        String before = seen.put(p, where);
        if (before != null) {
          throw new IllegalArgumentException("The same parameter is " + before + " and " + where
              + ".");
        }
        if (!p.isInitialized()) {
          throw new IllegalArgumentException("The " + where + " is not initialised.");
        }
        NDArray w = p.getArray();
        if (!w.hasGradient()) {
          throw new IllegalArgumentException("The " + where + " has no gradient attached: it is"
              + " frozen, not trainable (a BatchNorm running statistic), or was replaced by DJL's"
              + " Block.loadParameters, which reads arrays without gradients (call"
              + " getArray().setRequiresGradient(true) on each trainable parameter after"
              + " loading).");
        }
        if (!w.getDataType().isFloating()) {
          throw new IllegalArgumentException("The " + where + " is " + w.getDataType()
              + ", not floating point.");
        }
        params.add(p);
        keys.add(group.name() + "/" + i + "/" + p.getName());
        owners.add(group);
      }
    }
  }

  /**
   * Number of steps taken (including those before a {@link #load}).
   *
   * @return the step count {@code t} of the last step, 0 before the first
   */
  public long steps() {
    return steps;
  }

  /**
   * Writes β1, β2, ε, the step count and every parameter's {@code m} and {@code v} (exact bytes,
   * with data type, shape and state key) to the stream, which is flushed but not closed.
   *
   * @param out the stream
   * @throws IOException if writing fails
   */
  public void save(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(MAGIC);
    data.writeInt(VERSION);
    data.writeDouble(beta1);
    data.writeDouble(beta2);
    data.writeDouble(eps);
    data.writeLong(steps);
    data.writeInt(state.size());
    for (Map.Entry<String, Moments> e : state.entrySet()) {
      data.writeUTF(e.getKey());
      writeArray(data, e.getValue().m());
      writeArray(data, e.getValue().v());
    }
    data.flush();
  }

  private static void writeArray(DataOutputStream data, NDArray array) throws IOException {
    byte[] bytes = array.encode();
    data.writeInt(bytes.length);
    data.write(bytes);
  }

  /**
   * Replaces this optimiser's state by one {@link #save}d: the step count and the moments, which
   * later steps match to parameters by group name, position and parameter name. Reads exactly what
   * {@code save} wrote, so further data may follow in the stream.
   *
   * @param in the stream, left open
   * @param manager the manager that owns the loaded moments (they move to each parameter's device
   *     at the next step); closing it releases them
   * @throws IOException if reading fails or the stream is not a saved Adam state, or was saved with
   *     other β1, β2 or ε; this optimiser is unchanged then
   */
  public void load(InputStream in, NDManager manager) throws IOException {
    Objects.requireNonNull(manager, "manager");
    DataInputStream data = new DataInputStream(in);
    if (data.readInt() != MAGIC) {
      throw new IOException("Not a saved Adam optimiser state (wrong magic number).");
    }
    int version = data.readInt();
    if (version != VERSION) {
      throw new IOException("Saved Adam state has version " + version + ", this program reads "
          + VERSION + ".");
    }
    double b1 = data.readDouble();
    double b2 = data.readDouble();
    double e = data.readDouble();
    if (Double.compare(b1, beta1) != 0 || Double.compare(b2, beta2) != 0
        || Double.compare(e, eps) != 0) {
      throw new IOException("Saved Adam state has beta1 " + b1 + ", beta2 " + b2 + ", eps " + e
          + "; this optimiser has " + beta1 + ", " + beta2 + ", " + eps + ".");
    }
    long t = data.readLong();
    int n = data.readInt();
    if (t < 0 || n < 0) {
      throw new IOException("Saved Adam state is corrupt: " + t + " steps, " + n + " entries.");
    }
    Map<String, Moments> loaded = new LinkedHashMap<>();
    try {
      for (int i = 0; i < n; i++) {
        String key = data.readUTF();
        NDArray m = readArray(data, manager, key);
        NDArray v;
        try {
          v = readArray(data, manager, key);
        } catch (IOException | RuntimeException ex) {
          m.close();
          throw ex;
        }
        Moments previous = loaded.put(key, new Moments(m, v));
        if (previous != null || !m.getShape().equals(v.getShape())) {
          m.close();
          v.close();
          throw new IOException("Saved Adam state is corrupt at entry " + i + " ('" + key
              + "').");
        }
      }
    } catch (IOException | RuntimeException ex) {
      loaded.values().forEach(s -> {
        s.m().close();
        s.v().close();
      });
      throw ex;
    }
    close();
    state.putAll(loaded);
    steps = t;
  }

  private static NDArray readArray(DataInputStream data, NDManager manager, String key)
      throws IOException {
    int length = data.readInt();
    if (length < 0) {
      throw new IOException("Saved Adam state is corrupt at '" + key + "': negative length.");
    }
    byte[] bytes = data.readNBytes(length);
    if (bytes.length != length) {
      throw new IOException("Saved Adam state ends inside the moments of '" + key + "'.");
    }
    return manager.decode(bytes);
  }

  /** Releases the moment arrays; the step count stays, a later step starts new moments. */
  @Override
  public void close() {
    for (Moments s : state.values()) {
      s.m().close();
      s.v().close();
    }
    state.clear();
  }
}
