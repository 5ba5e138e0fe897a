package org.ccespark.deep;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.ParameterList;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * A TorchScript module as a trainable backbone: the first output of its {@code forward}. It wraps
 * DJL's {@link PtSymbolBlock} to fix two things DJL 0.36 leaves to the caller: the module's
 * training flag is set explicitly (a module saved in evaluation mode would otherwise run its batch
 * normalisation in evaluation mode while DJL believes it is training), and
 * {@link #loadParameters} swaps in the loaded module as a new block, whose parameters are then
 * those of the loaded module (a {@code PtSymbolBlock} keeps listing the parameters of the module it
 * was first read from).
 */
final class TorchScriptBackbone extends AbstractBlock {
  private final String source;
  private PtSymbolBlock module;

  /**
   * @param module a module loaded with trainable parameters
   * @param source where it came from, for messages
   */
  TorchScriptBackbone(PtSymbolBlock module, String source) {
    this.source = source;
    this.module = trainable(module);
  }

  private static PtSymbolBlock trainable(PtSymbolBlock module) {
    module.freezeParameters(false);
    // PtSymbolBlock starts believing it is in training mode: make the module agree
    JniUtils.enableTrainingMode(module);
    return module;
  }

  @Override
  protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
      PairList<String, Object> params) {
    NDList out = module.forward(parameterStore, inputs, training, params);
    if (out.isEmpty()) {
      throw new IllegalStateException("TorchScript model " + source + " returned no tensor.");
    }
    return new NDList(out.get(0));
  }

  @Override
  public ParameterList getDirectParameters() {
    return module.getDirectParameters();
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {module.getOutputShapes(inputShapes)[0]};
  }

  /** Writes the whole module (parameters and buffers such as batch-normalisation statistics). */
  @Override
  public void saveParameters(DataOutputStream os) throws IOException {
    module.saveParameters(os);
  }

  /** Reads a module written by {@link #saveParameters} and uses it from now on. */
  @Override
  public void loadParameters(NDManager manager, DataInputStream is)
      throws IOException, MalformedModelException {
    if (!(manager instanceof PtNDManager pt)) {
      throw new IllegalArgumentException("A TorchScript backbone needs a manager of DJL's PyTorch"
          + " engine, got " + manager.getClass().getName() + ".");
    }
    // Read the module's bytes here, so that a stream holding something else fails with a clear
    // error instead of handing libtorch a garbage length.
    byte version = is.readByte();
    long size = is.readLong();
    if (size < 4 || size > Integer.MAX_VALUE - 16) {
      throw new MalformedModelException("Not a TorchScript module saved by a TorchScript backbone"
          + " (module length " + size + ").");
    }
    byte[] bytes = is.readNBytes((int) size);
    if (bytes.length < size || bytes[0] != 'P' || bytes[1] != 'K' || bytes[2] != 3
        || bytes[3] != 4) {
      throw new MalformedModelException("Not a TorchScript module saved by a TorchScript backbone"
          + (bytes.length < size ? " (it ends after " + bytes.length + " of its " + size
              + " bytes)." : " (no zip archive where the module should start)."));
    }
    ByteArrayOutputStream copy = new ByteArrayOutputStream(bytes.length + 9);
    DataOutputStream data = new DataOutputStream(copy);
    data.writeByte(version);
    data.writeLong(size);
    data.write(bytes);
    PtSymbolBlock loaded = new PtSymbolBlock(pt);
    loaded.loadParameters(manager, new DataInputStream(
        new ByteArrayInputStream(copy.toByteArray())));
    PtSymbolBlock old = module;
    module = trainable(loaded);
    old.close();
  }

  @Override
  public String toString() {
    return "TorchScript(" + source + ")";
  }
}
