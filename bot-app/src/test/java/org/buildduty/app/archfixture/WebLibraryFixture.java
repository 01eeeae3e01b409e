package org.buildduty.app.archfixture;

import io.javalin.Javalin;

/** A deliberately bad app class outside {@code app.web} for ArchitectureTest: it uses Javalin. */
public final class WebLibraryFixture {
    public Javalin server;
}
