/**
 * What a user tries first, behind one command line ({@code java -jar boucle-examples.jar COMMAND}):
 * {@code tour}, the seed's examples printing exactly the seed's lines; {@code echo}, a one-method
 * handler; {@code chat}, a line-based room for nc and telnet. They use only the public API of
 * {@code boucle.core} and {@code boucle.net}, and are meant to be copied.
 */
package boucle.examples;
