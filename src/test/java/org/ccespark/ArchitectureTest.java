package org.ccespark;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package rules of docs/architecture.md, checked on the compiled main classes (tests left
 * out): the kernels and the scores are plain Java, the command line is a leaf, and the top-level
 * packages form no cycle.
 */
@AnalyzeClasses(packages = "org.ccespark", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule kernelsAndScoresUseNoSparkScalaOrDjl = noClasses()
      .that().resideInAnyPackage("org.ccespark.math..", "org.ccespark.selflabel..",
          "org.ccespark.eval..")
      .should().dependOnClassesThat()
      .resideInAnyPackage("org.apache.spark..", "scala..", "ai.djl..")
      .because("math, selflabel and eval run on the driver, in executors and in the deep trainer"
          + " alike (docs/architecture.md)");

  @ArchTest
  static final ArchRule nothingDependsOnTheCommandLine = noClasses()
      .that().resideOutsideOfPackage("org.ccespark.app..")
      .should().dependOnClassesThat().resideInAPackage("org.ccespark.app..")
      .because("app is the command line; the library must not need it");

  @ArchTest
  static final ArchRule topLevelPackagesFormNoCycle = slices()
      .matching("org.ccespark.(*)..")
      .should().beFreeOfCycles();
}
