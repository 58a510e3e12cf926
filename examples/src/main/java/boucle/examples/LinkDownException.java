package boucle.examples;

/**
 * The part of the room beyond this server cannot be reached now (its broker is down): what needs
 * it, as a nickname change, is refused with a message the member can read; lines still reach the
 * members of this server.
 */
final class LinkDownException extends Exception {
    LinkDownException(String message) {
        super(message);
    }
}
