/**
 * Self-labeling objectives for clustering with a softmax classifier, behind one interface
 * ({@link org.ccespark.selflabel.SelfLabelingObjective}): a pseudo-label solver for a block of
 * points plus the classifier's loss and its gradient with respect to the logits. Implementations:
 * CCE with EM on eq. 11 and with PGD on eq. 10 (this paper), SeLa (Asano et al. 2020), MIADM (Jabi
 * et al. 2021), MIGD (Krause et al. 2010), and fixed soft targets (supervised, Figure 2). Depends
 * only on {@code org.ccespark.math}; no Spark types.
 */
package org.ccespark.selflabel;
