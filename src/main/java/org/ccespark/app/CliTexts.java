package org.ccespark.app;

import java.util.List;
import java.util.ListResourceBundle;
import org.ccespark.bench.EndToEndBenchmark;
import org.ccespark.bench.FeaturesBenchmark;
import org.ccespark.data.PixelInput;
import org.ccespark.experiment.ConfigKeys;
import org.ccespark.data.images.DatasetCatalog;
import org.ccespark.data.images.ImageDatasets;
import org.ccespark.deep.DeepSettings;
import org.ccespark.features.DjlEngine;
import org.ccespark.pipeline.Clustering;

/**
 * The lists that the commands' help texts name, from the code that defines them: picocli puts them
 * into an annotation's text where it says {@code ${bundle:list.NAME}} (an annotation can only hold
 * constants).
 */
public final class CliTexts extends ListResourceBundle {
  @Override
  protected Object[][] getContents() {
    return new Object[][] {
        {"list.methods", bar(Clustering.METHODS)},
        {"list.dataset-formats", bar(ImageDatasets.FORMATS)},
        {"list.dataset-names", comma(DatasetCatalog.names())},
        {"list.table-formats", bar(PixelInput.TABLE_FORMATS)},
        {"list.deep-methods", bar(DeepSettings.METHODS)},
        {"list.supervised", DeepSettings.SUPERVISED},
        {"list.devices", bar(DjlEngine.DEVICES)},
        {"list.benchmarks", comma(BenchCommand.BENCHMARKS)},
        {"list.experiment-keys", ConfigKeys.help()},
        {"list.benchmarks-joined", String.join(",", BenchCommand.BENCHMARKS)},
        {"list.opt-in", comma(BenchCommand.OPT_IN)},
        {"list.e2e-methods", comma(EndToEndBenchmark.METHODS)},
        {"list.e2e-methods-joined", String.join(",", EndToEndBenchmark.METHODS)},
        {"list.variants", comma(FeaturesBenchmark.VARIANTS)},
        {"list.variants-joined", String.join(",", FeaturesBenchmark.VARIANTS)},
    };
  }

  private static String bar(List<String> values) {
    return String.join("|", values);
  }

  private static String comma(List<String> values) {
    return String.join(", ", values);
  }
}
