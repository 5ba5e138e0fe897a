package org.ccespark.features;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/** The {@code path} column of extracted image features: where each image came from. */
public final class ImagePaths {
  private ImagePaths() {}

  /**
   * Name of the column of each image's path: for a folder of image files the absolute path of its
   * file, otherwise its id.
   */
  public static final String PATH_COL = "path";

  /**
   * The extracted rows with a {@value #PATH_COL} column after {@code id}: for image files (a local
   * folder, or a Hadoop path: URI or glob) the full path or URI of each image's file, {@code
   * prefix} followed by the id (the file's path under the folder); otherwise (images stored in
   * dataset files, a dataset name, a feature table) the id itself, which names the file and the
   * image's position in it.
   *
   * @param rows {@code id}, then the other columns
   * @param prefix {@code ImageInputs.Source#pathPrefix}, or null when the images are not files
   */
  public static Dataset<Row> withPath(Dataset<Row> rows, String prefix) {
    Column id = functions.col(ImageFeatures.ID_COL);
    Column path = prefix == null ? id : functions.concat(functions.lit(prefix), id);
    List<Column> columns = new ArrayList<>(List.of(id, path.as(PATH_COL)));
    for (String c : rows.columns()) {
      if (!c.equals(ImageFeatures.ID_COL)) {
        columns.add(rows.col(c));
      }
    }
    return rows.select(columns.toArray(new Column[0]));
  }
}
