package org.buildduty.core.archfixture;

import org.buildduty.core.archcyclefixture.CycleBackFixture;

/** Half of a deliberate package cycle inside bot-core: {@code archfixture} → {@code archcyclefixture} → back. */
public final class CycleFixture {
    public CycleBackFixture back;
}
