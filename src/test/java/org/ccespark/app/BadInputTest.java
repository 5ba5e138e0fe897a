package org.ccespark.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.ccespark.app.InProcess.Outcome;
import org.ccespark.data.FeatureInput;
import org.ccespark.testing.SharedSpark;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad input through the command line ({@link Main#run}, in-process, shared Spark session), as a
 * user meets it: {@code --on-invalid skip}, malformed LibSVM lines, corrupt Parquet, a features
 * column that is not a vector, constant features, null and extra labels, a named pipe as input,
 * and every option out of range. RELIABILITY.md lists each with what the program does.
 */
class BadInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @BeforeAll
  static void startSpark() {
    SharedSpark.session();
  }

  /** {@code n} rows of three blobs in 2-D, label i % 3, as CSV lines (header first). */
  static List<String> blobLines(int n) {
    Random rnd = new Random(11);
    List<String> lines = new ArrayList<>(List.of("x0,x1,label"));
    for (int i = 0; i < n; i++) {
      int label = i % 3;
      lines.add(String.format("%.4f,%.4f,%d", rnd.nextGaussian() + 6 * (label == 1 ? 1 : 0),
          rnd.nextGaussian() + 6 * (label == 2 ? 1 : 0), label));
    }
    return lines;
  }

  /** {@code cluster} with k = 3, 2 epochs, batches of 16, and the given options (overriding). */
  private static String[] cluster(Path input, Path output, String... extra) {
    List<String> args = new ArrayList<>(List.of("cluster", "--input", input.toString(),
        "--k", "3", "--output", output.toString(), "--epochs", "2", "--batch-size", "16"));
    for (int i = 0; i + 1 < extra.length; i += 2) {
      int at = args.indexOf(extra[i]);
      if (at >= 0) {
        args.set(at + 1, extra[i + 1]);
      } else {
        args.addAll(List.of(extra[i], extra[i + 1]));
      }
    }
    return args.toArray(new String[0]);
  }

  /** A failed run: the status, one error line containing every part, no output, no stack trace. */
  private void assertFails(Outcome r, int status, Path out, String... parts) throws IOException {
    assertEquals(status, r.status(), r.err());
    assertEquals(1, r.errLines().size(), "one line, no stack trace: " + r.err());
    String line = r.errLines().get(0);
    assertTrue(line.startsWith("error: "), line);
    for (String part : parts) {
      assertTrue(line.contains(part), "'" + part + "' in " + line);
    }
    assertFalse(Files.exists(out), "no output folder");
    try (Stream<Path> s = Files.list(tmp)) {
      assertEquals(List.of(), s.map(p -> p.getFileName().toString())
          .filter(n -> n.contains(".tmp-")).toList(), "no temporary folder");
    }
  }

  private static void assertNoNaN(JsonNode node, String where) {
    if (node.isNumber()) {
      assertTrue(Double.isFinite(node.asDouble()), where + " = " + node);
    } else if (node.isTextual()) {
      assertFalse(node.asText().equals("NaN") || node.asText().contains("Infinity"),
          where + " = " + node);
    }
    node.fields().forEachRemaining(e -> assertNoNaN(e.getValue(), where + "." + e.getKey()));
    for (int i = 0; node.isArray() && i < node.size(); i++) {
      assertNoNaN(node.get(i), where + "[" + i + "]");
    }
  }

  @Test
  void onInvalidSkipLeavesOutBadRowsAndCountsThem() throws IOException {
    List<String> lines = blobLines(45);
    lines.set(3, "1.0,NaN,2"); // row 2
    lines.set(8, "abc,1.0,1"); // row 7: a malformed value
    lines.set(12, "2.0"); // row 11: fields missing
    lines.set(30, "Infinity,0,2"); // row 29
    Path csv = Files.write(tmp.resolve("bad.csv"), lines);

    Path strictOut = tmp.resolve("strict");
    assertFails(InProcess.run(cluster(csv, strictOut, "--label-col", "label")), Main.FAILED,
        strictOut, "Row 2 of '" + csv + "'", "NaN", "feature column 'x1'",
        "first offending rows: 2, 7, 11");

    Path out = tmp.resolve("skip");
    Outcome r = InProcess.run(cluster(csv, out, "--label-col", "label", "--on-invalid", "skip"));
    assertEquals(Main.OK, r.status(), r.err());
    assertTrue(r.out().contains("skipped 4 invalid rows"), r.out());
    JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals(4, m.get("skippedRows").asLong());
    assertEquals(41, m.get("rows").asLong());
    assertEquals(0, m.get("nullLabelRows").asLong());
    List<String> predictions = Files.readAllLines(out.resolve("predictions.csv"));
    assertEquals(42, predictions.size());
    List<String> rows = predictions.stream().skip(1).map(l -> l.split(",")[0]).toList();
    for (String skipped : List.of("2", "7", "11", "29")) {
      assertFalse(rows.contains(skipped), "row " + skipped + " skipped");
    }
    assertTrue(rows.contains("44"), "rows keep their input index");
  }

  @Test
  void malformedLibSvmLineNamesFileAndLine() throws IOException {
    Path svm = Files.write(tmp.resolve("data.libsvm"),
        List.of("0 1:0.1 2:0.2", "1 1:5 2:5", "2 1:x 2:1", "0 1:0 2:0"));
    Path out = tmp.resolve("out");
    assertFails(InProcess.run(cluster(svm, out, "--k", "2")), Main.FAILED, out,
        "Line 3 of '", "data.libsvm", "value 'x' of index 1 is not a number");
  }

  @Test
  void corruptParquetIsAOneLineErrorNamingThePath() throws IOException {
    Path garbage = tmp.resolve("garbage.parquet");
    byte[] bytes = new byte[2000];
    new Random(1).nextBytes(bytes);
    Files.write(garbage, bytes);
    Path out = tmp.resolve("out");
    assertFails(InProcess.run(cluster(garbage, out)), Main.FAILED, out, garbage.toString(),
        "not a Parquet file");

    // a real Parquet file cut in half: its footer is gone
    StructType s = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType));
    List<Row> data = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      data.add(RowFactory.create((Object) new Double[] {(double) i, i * 2.0}));
    }
    Path table = tmp.resolve("table");
    SharedSpark.session().createDataFrame(data, s).coalesce(1).write().parquet(table.toString());
    Path part;
    try (Stream<Path> files = Files.list(table)) {
      part = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    byte[] whole = Files.readAllBytes(part);
    Path truncated = tmp.resolve("truncated.parquet");
    Files.write(truncated, Arrays.copyOf(whole, whole.length / 2));
    assertFails(InProcess.run(cluster(truncated, out)), Main.FAILED, out, truncated.toString());

    Path unreadable = tmp.resolve("unreadable.parquet");
    Files.write(unreadable, whole);
    assertTrue(unreadable.toFile().setReadable(false));
    if (!Files.isReadable(unreadable)) { // root reads every file: nothing to test then
      assertFails(InProcess.run(cluster(unreadable, out)), Main.FAILED, out, "unreadable.parquet");
    }
  }

  @Test
  void aFeaturesColumnThatIsNotAVectorIsNamedWithItsType() throws IOException {
    StructType s = new StructType().add("id", DataTypes.IntegerType)
        .add("features", DataTypes.StringType);
    Path p = tmp.resolve("strings.parquet");
    SharedSpark.session().createDataFrame(List.of(RowFactory.create(1, "1,2"),
        RowFactory.create(2, "3,4"), RowFactory.create(3, "5,6")), s)
        .write().parquet(p.toString());
    Path out = tmp.resolve("out");
    assertFails(InProcess.run(cluster(p, out)), Main.FAILED, out, "Features column 'features'",
        "has type string, not an ML vector or an array of numbers");
    assertFails(InProcess.run(cluster(p, out, "--features-col", "id")), Main.FAILED, out,
        "Features column 'id'", "has type int");
  }

  @Test
  void constantFeaturesGiveNoNaN() throws IOException {
    // every row identical; then a zero-variance column beside a varying one
    List<String> same = new ArrayList<>(List.of("a,b,label"));
    List<String> flat = new ArrayList<>(List.of("a,b,label"));
    for (int i = 0; i < 40; i++) {
      same.add("3.5,-1," + i % 2);
      flat.add("7," + (i % 2 == 0 ? 1 : -1) * (1 + 0.01 * i) + "," + i % 2);
    }
    String[] schedules = {"minibatch", "fulldata"};
    for (int c = 0; c < 2; c++) {
      Path csv = Files.write(tmp.resolve("const" + c + ".csv"), c == 0 ? same : flat);
      for (String schedule : new String[] {schedules[c]}) {
        Path out = tmp.resolve("out" + c);
        Outcome r = InProcess.run(cluster(csv, out, "--label-col", "label", "--k", "2",
            "--schedule", schedule));
        assertEquals(Main.OK, r.status(), r.err());
        JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
        assertNoNaN(m, "metrics");
        for (Row row : SharedSpark.session().read().parquet(out.resolve("predictions").toString())
            .collectAsList()) {
          double sum = 0;
          for (double v : ((Vector) row.getAs("probability")).toArray()) {
            assertTrue(Double.isFinite(v) && v >= 0, "probability " + row);
            sum += v;
          }
          assertEquals(1.0, sum, 1e-9);
        }
      }
    }
  }

  /**
   * Features scaled by 1e-300: every probability vector is uniform to the last bit, so every
   * prediction is cluster 0 (the lowest index on ties), while the logits still differ in their
   * last digits. {@code clusterSizes} in metrics.json must count the predictions as written.
   */
  @Test
  void clusterSizesCountThePredictionsEvenWhenProbabilitiesTie() throws IOException {
    List<String> lines = new ArrayList<>(List.of("x0,x1,label"));
    for (String line : blobLines(60).subList(1, 61)) {
      String[] f = line.split(",");
      lines.add(String.format("%se-300,%se-300,%s", f[0], f[1], f[2]));
    }
    Path csv = Files.write(tmp.resolve("tiny.csv"), lines);
    Path out = tmp.resolve("out");
    Outcome r = InProcess.run(cluster(csv, out, "--label-col", "label"));
    assertEquals(Main.OK, r.status(), r.err());
    long[] counted = new long[3];
    for (String line : Files.readAllLines(out.resolve("predictions.csv")).subList(1, 61)) {
      counted[Integer.parseInt(line.substring(line.lastIndexOf(',') + 1))]++;
    }
    JsonNode sizes = JSON.readTree(out.resolve("metrics.json").toFile()).get("clusterSizes");
    assertEquals(Arrays.toString(counted), sizes.toString().replace(",", ", "));
  }

  @Test
  void nullLabelsAreLeftOutOfTheScoresAndCounted() throws IOException {
    List<String> lines = blobLines(36);
    for (int row : new int[] {0, 5, 17}) {
      String line = lines.get(row + 1);
      lines.set(row + 1, line.substring(0, line.lastIndexOf(',') + 1)); // empty label: null
    }
    Path csv = Files.write(tmp.resolve("nulls.csv"), lines);
    Path out = tmp.resolve("out");
    Outcome r = InProcess.run(cluster(csv, out, "--label-col", "label", "--method", "kmeans",
        "--seed", "1"));
    assertEquals(Main.OK, r.status(), r.err());
    assertTrue(r.out().contains("3 rows with a null label left out"), r.out());
    JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals(3, m.get("nullLabelRows").asLong());
    assertEquals(36, m.get("rows").asLong(), "rows without a label are still clustered");
    assertEquals(0, m.get("skippedRows").asLong());
    assertEquals(37, Files.readAllLines(out.resolve("predictions.csv")).size());
    assertTrue(m.get("acc").asDouble() > 0.9, "three separated blobs: " + m);

    // every label null: no scores can be computed
    List<String> none = new ArrayList<>(List.of("x0,x1,label"));
    for (int i = 0; i < 10; i++) {
      none.add(i + "," + (i % 3) + ",");
    }
    Path allNull = Files.write(tmp.resolve("allnull.csv"), none);
    Path out2 = tmp.resolve("out2");
    assertFails(InProcess.run(cluster(allNull, out2, "--label-col", "label", "--method",
        "kmeans")), Main.FAILED, out2, "every one of the 10 labels", "is null");
  }

  @Test
  void labelsBeyondKAreMoreClassesOfTheContingencyTable() throws IOException {
    // six label values, three clusters: each cluster holds two labels, so ACC is at most 1/2
    List<String> lines = blobLines(60);
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      int label = Integer.parseInt(line.substring(line.lastIndexOf(',') + 1));
      lines.set(i, line.substring(0, line.lastIndexOf(',') + 1) + (label + 3 * (i % 2)));
    }
    Path csv = Files.write(tmp.resolve("six.csv"), lines);
    Path out = tmp.resolve("out");
    Outcome r = InProcess.run(cluster(csv, out, "--label-col", "label", "--method", "kmeans",
        "--seed", "1"));
    assertEquals(Main.OK, r.status(), r.err());
    JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals(0.5, m.get("acc").asDouble(), 1e-9, m.toString());
    assertTrue(m.get("nmi").asDouble() > 0 && m.get("nmi").asDouble() < 1, m.toString());
  }

  /** One LibSVM index of 2e9: refused before any row is made dense, naming size and limit. */
  @Test
  void aHugeLibSvmIndexIsRefusedNamingTheDimensionAndTheLimit() throws IOException {
    Path svm = Files.write(tmp.resolve("huge.libsvm"),
        List.of("0 1:0.1 2:0.2", "1 2000000000:1", "0 1:0 2:1", "1 1:3 2:3"));
    Path out = tmp.resolve("out");
    assertFails(InProcess.run(cluster(svm, out, "--k", "2")), Main.FAILED, out,
        "has 2000000000 features", "limit of 16777216", "huge.libsvm");
  }

  /** More partitions than rows: refused after reading (before: minutes of empty tasks). */
  @Test
  void morePartitionsThanRowsAreRefused() throws IOException {
    Path csv = Files.write(tmp.resolve("nine.csv"), blobLines(9));
    Path out = tmp.resolve("out");
    assertFails(InProcess.run(cluster(csv, out, "--partitions", "100000")), Main.FAILED, out,
        "--partitions 100000 is more than the number of rows (9)");
  }

  /** A value with a NUL byte and a line break (a binary file read as CSV): escaped, one line. */
  @Test
  void aBinaryValueIsEscapedAndTheMessageKeepsFileAndColumn() throws IOException {
    Path csv = tmp.resolve("binary.csv");
    Files.writeString(csv, "a,b\n1,x\u0000y\u000bz\u0085w\n2,3\n3,4\n");
    Path out = tmp.resolve("out");
    assertFails(InProcess.run(cluster(csv, out, "--k", "2")), Main.FAILED, out,
        "non-numeric value 'x\\u0000y\\u000bz\\u0085w' in feature column 'b'", csv.toString());
  }

  /**
   * Paths Hadoop reads differently from the shell: brackets (a glob; the message says so and how
   * to escape them, and the escaped path works) and a colon before the first slash (a URI scheme).
   */
  @Test
  void globCharactersAndColonsInPathsAreExplained() throws IOException {
    Path csv = Files.write(tmp.resolve("run[1].csv"), blobLines(30));
    Path out = tmp.resolve("out");
    assertFails(InProcess.run(cluster(csv, out)), Main.FAILED, out,
        "matches no file", "Hadoop glob pattern", "run\\[1\\].csv");
    String escaped = csv.toString().replace("[", "\\[").replace("]", "\\]");
    Outcome ok = InProcess.run(cluster(Path.of(escaped), out));
    assertEquals(Main.OK, ok.status(), ok.err());

    Path out2 = tmp.resolve("out2");
    assertFails(InProcess.run("cluster", "--input", "data:run.csv", "--k", "2", "--output",
        out2.toString()), Main.FAILED, out2, "'data:run.csv' is not a valid Hadoop path",
        "./data:run.csv");
    Outcome k = InProcess.run(cluster(csv, out2, "--k", "99999999999"));
    assertEquals(Main.USAGE, k.status());
    assertTrue(k.err().contains("--k must be an integer of at most 2147483647, got 99999999999"),
        k.err());
    Outcome partitions = InProcess.run(cluster(csv, out2, "--partitions", "99999999999"));
    assertEquals(Main.USAGE, partitions.status());
    assertTrue(partitions.err().contains("--partitions must be an integer from 1 to at most"
        + " 2147483647, got 99999999999"), partitions.err());
  }

  /**
   * An input that is a named pipe (a FIFO made by {@code mkfifo}), directly or as a glob's match,
   * or a character device ({@code /dev/null}): refused before anything is read or written, naming
   * the path and what it is (Spark would read it as empty); {@code FeatureInput.read} alike.
   */
  @Test
  void aNamedPipeOrADeviceIsNotAnInput() throws Exception {
    Path fifo = tmp.resolve("pipe.csv");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true)
        .start();
    assumeTrue(mkfifo.waitFor() == 0 && Files.exists(fifo),
        "mkfifo is not available here: " + new String(mkfifo.getInputStream().readAllBytes()));
    Path out = tmp.resolve("out");
    assertFails(InProcess.run(cluster(fifo, out, "--label-col", "label")), Main.USAGE, out,
        "--input '" + fifo + "' is a named pipe (FIFO), not a regular file or folder");
    assertFails(InProcess.run(cluster(tmp.resolve("pipe*"), out)), Main.USAGE, out,
        "matches " + fifo + ", a named pipe (FIFO), not a regular file or folder");
    assertFails(InProcess.run(cluster(Path.of("/dev/null"), out, "--format", "csv")), Main.USAGE,
        out, "--input '/dev/null' is a character device, not a regular file or folder");
    assertTrue(Files.exists(fifo), "the pipe is left alone");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> FeatureInput.read(SharedSpark.session(), fifo.toString(), "csv", null, null));
    assertTrue(e.getMessage().contains("Input path '" + fifo + "' is a named pipe (FIFO)"),
        e.getMessage());
  }

  /**
   * {@code --format auto} on a folder goes by the files at its top level, which Spark reads: an
   * earlier run's metrics.json in a subfolder does not count; a README.txt beside CSV parts is
   * refused naming both kinds (Spark would read it as CSV too).
   */
  @Test
  void formatAutoOnAFolderGoesByTheFilesSparkReads() throws IOException {
    Path parts = Files.createDirectories(tmp.resolve("parts"));
    List<String> lines = blobLines(30);
    Files.write(parts.resolve("part-00000.csv"), lines.subList(0, 16));
    List<String> second = new ArrayList<>(List.of(lines.get(0)));
    second.addAll(lines.subList(16, 31));
    Files.write(parts.resolve("part-00001.csv"), second);
    Files.writeString(Files.createDirectories(parts.resolve("old-run")).resolve("metrics.json"),
        "{}");
    Path out = tmp.resolve("out");
    Outcome r = InProcess.run(cluster(parts, out));
    assertEquals(Main.OK, r.status(), r.err());
    JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
    assertEquals("csv", m.get("input").get("format").asText());
    assertEquals(30, m.get("rows").asLong());

    Files.writeString(parts.resolve("README.txt"), "These are my parts.\n");
    Path out2 = tmp.resolve("out2");
    assertFails(InProcess.run(cluster(parts, out2)), Main.FAILED, out2,
        "holds files of different kinds", "README.txt: libsvm", "part-00000.csv: csv");
  }

  /** A Parquet file whose footer length is garbage: the message names the file. */
  @Test
  void aParquetFileWithAGarbageFooterIsNamed() throws IOException {
    StructType s = new StructType().add("features", DataTypes.createArrayType(DataTypes.DoubleType));
    List<Row> data = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      data.add(RowFactory.create((Object) new Double[] {(double) i, i * 2.0}));
    }
    Path table = tmp.resolve("table");
    SharedSpark.session().createDataFrame(data, s).coalesce(1).write().parquet(table.toString());
    Path part;
    try (Stream<Path> files = Files.list(table)) {
      part = files.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    byte[] whole = Files.readAllBytes(part);
    // the first half, then a footer length of 2,633,068,531 and the tail magic
    byte[] cut = Arrays.copyOf(whole, whole.length / 2 + 8);
    int n = whole.length / 2;
    long length = 2_633_068_531L;
    for (int i = 0; i < 4; i++) {
      cut[n + i] = (byte) (length >>> (8 * i));
    }
    System.arraycopy("PAR1".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, cut, n + 4,
        4);
    Path broken = Files.write(tmp.resolve("broken.parquet"), cut);
    Path out = tmp.resolve("out");
    assertFails(InProcess.run(cluster(broken, out)), Main.FAILED, out, "broken.parquet");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "--k, 1", "--k, abc", "--lambda, -1", "--lambda, NaN", "--lambda, Infinity",
      "--epochs, 0", "--batch-size, 0", "--step-size, 0", "--step-size, Infinity",
      "--weight-decay, -0.1", "--optimizer, rmsprop", "--momentum, 1", "--momentum, -0.5",
      "--em-max-iter, 0", "--em-tol, 0", "--seed, 1.5", "--schedule, daily",
      "--pgd-step-size, -1", "--method, dec", "--format, json", "--partitions, 0",
      "--on-invalid, ignore", "--features-col, label", "--features-col, row",
      "--k, 99999999999"})
  void anOptionOutOfRangeIsAUsageErrorNamingIt(String option, String value) throws IOException {
    Path csv = Files.write(tmp.resolve("ok.csv"), blobLines(9));
    Path out = tmp.resolve("out");
    assertFails(InProcess.run(cluster(csv, out, option, value)), Main.USAGE, out, option);
  }
}
