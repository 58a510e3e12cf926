package boucle.core;

/**
 * The JMX view of the loops running in this JVM, registered as {@code boucle.core:type=Loops} when
 * the first loop starts: from jconsole, VisualVM or any JMX client, call {@code dumpTasks} on a
 * live server to see every task of every running loop, what it waits on and where.
 */
public interface LoopsMXBean {
    /** How many loops are running now. */
    int getRunningLoops();

    /** {@link Loop#dumpTasks()} of every running loop, each made on its own loop's thread. */
    String dumpTasks();
}
