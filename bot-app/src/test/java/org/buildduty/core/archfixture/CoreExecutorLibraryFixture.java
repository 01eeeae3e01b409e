package org.buildduty.core.archfixture;

import com.github.benmanes.caffeine.cache.Cache;
import com.jcraft.jsch.JSch;
import okhttp3.OkHttpClient;

/** A deliberately bad "bot-core" class for ArchitectureTest: it uses JSch, OkHttp and Caffeine. */
public final class CoreExecutorLibraryFixture {
    public JSch ssh;
    public OkHttpClient http;
    public Cache<String, String> cache;
}
