/**
 * The engine, the composition root of bot-core: chat events in, then address, tokenize, look up, authorize, parse and
 * handle, and operations created, approved, run and reported to the room they came from; also the bot's health and
 * the paced publishers of its rooms. bot-app builds it from explicit lists through {@code Engine.builder()}. Commands
 * and services get {@code Engine.api()}, a view built from the engine's parts, never the engine itself.
 */
package org.buildduty.core.pipeline;
