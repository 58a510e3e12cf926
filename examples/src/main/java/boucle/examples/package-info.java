/**
 * What a user tries first, behind one command line ({@code java -jar boucle-examples.jar COMMAND}):
 * {@code tour}, the seed's examples printing exactly the seed's lines; {@code echo}, a one-method
 * handler; {@code chat}, a line-based room for nc and telnet, and with {@code --redis} one room
 * across several chat servers ({@code RedisRoom} says how, which faults it meets and why so). They
 * use only the public API of {@code boucle.core}, {@code boucle.net} and {@code boucle.redis}, and
 * are meant to be copied.
 */
package boucle.examples;
