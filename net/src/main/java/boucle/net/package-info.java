/**
 * Boucle's network layer: the loop's waiting extended with a {@link java.nio.channels.Selector}.
 */
package boucle.net;
