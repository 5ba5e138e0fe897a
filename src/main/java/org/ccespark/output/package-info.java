/**
 * Output folders: {@link org.ccespark.output.OutputDir} writes every command's output beside its
 * destination and renames it into place only when complete, refuses destinations that would
 * overwrite an input, removes stale temporary folders of dead runs and cleans up on interrupt.
 */
package org.ccespark.output;
