/**
 * The paper's experiments as configured in a properties file: the tables and figures of the
 * {@code experiment} command, without the command line.
 *
 * <p>{@link org.ccespark.experiment.ExperimentConfig} reads the file into typed sections (every
 * key documented in {@link org.ccespark.experiment.ConfigKeys}), {@link
 * org.ccespark.experiment.ExperimentPlan} says what runs, and {@link
 * org.ccespark.experiment.Experiment} loads the datasets and runs the phases in order: tuning,
 * the reported clustering runs, Table 5's semi-supervised runs and Figure 2's noisy-label runs,
 * one runner each, every fit scored in one place. The typed results ({@link
 * org.ccespark.experiment.ExperimentResults}, {@link org.ccespark.experiment.RunDetails}) are
 * written as tables, figures and JSON into an {@link org.ccespark.experiment.ExperimentOutput}.
 * Settings that are not accepted are {@link org.ccespark.data.SettingException}s naming the file
 * and key.
 */
package org.ccespark.experiment;
