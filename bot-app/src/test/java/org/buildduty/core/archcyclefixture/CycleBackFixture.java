package org.buildduty.core.archcyclefixture;

import org.buildduty.core.archfixture.CycleFixture;

/** The other half of the deliberate package cycle of {@link CycleFixture}, so the cycle rule is seen to fail. */
public final class CycleBackFixture {
    public CycleFixture there;
}
