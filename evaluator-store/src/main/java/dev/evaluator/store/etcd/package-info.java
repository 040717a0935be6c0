/**
 * The store on an etcd cluster (3.4 or later), shared by any number of evaluator processes: {@link
 * dev.evaluator.store.etcd.EtcdStore#open EtcdStore.open(EtcdOptions)} is the entry point; everything else here is
 * package-private. Depends on the store API and on jetcd (gRPC) only.
 *
 * <h2>Key layout</h2>
 * Every key is under one prefix ({@code --etcd-prefix}, default {@code /evaluator/}). A namespace is written
 * {@code global} or {@code scoped/<bucket>/<scope>}; no name may contain {@code /}, so keys are unambiguous, and a
 * namespace's libraries are one range read of {@code <prefix>lib/<namespace>/}.
 * <pre>
 * &lt;prefix&gt;meta/schema-version                     schema version, decimal ("1"); written by the first open
 * &lt;prefix&gt;meta/write-probe                        time of the last readiness probe, epoch ms, decimal
 * &lt;prefix&gt;lib/global/&lt;name&gt;                       a global library
 * &lt;prefix&gt;lib/scoped/&lt;bucket&gt;/&lt;scope&gt;/&lt;name&gt;      a scoped library
 * &lt;prefix&gt;fn/global/&lt;name&gt;                        a global SQL++ function
 * &lt;prefix&gt;fn/scoped/&lt;bucket&gt;/&lt;scope&gt;/&lt;name&gt;       a scoped SQL++ function
 * &lt;prefix&gt;bound/&lt;library namespace&gt;/&lt;library name&gt;  index: the functions bound to that library (absent: none)
 * &lt;prefix&gt;user/&lt;name&gt;                            a user
 * &lt;prefix&gt;history/&lt;ns&gt;/&lt;library&gt;/&lt;number&gt;        a version's metadata (number: 20 digits, zero-padded)
 * &lt;prefix&gt;code/&lt;ns&gt;/&lt;library&gt;/&lt;number&gt;           that version's code
 * &lt;prefix&gt;counter/&lt;ns&gt;/&lt;library&gt;                 the library's lowest kept and highest given version number
 * &lt;prefix&gt;audit/&lt;position&gt;                       an audit log entry (position: 20 digits, zero-padded)
 * </pre>
 * One library's versions are one range read of its {@code history/} prefix (newest first: etcd sorts the range,
 * which holds only that library's kept metadata); listing versions never reads code. The counter outlives deletes
 * and purges, so numbers are never reused, also after a library is deleted and created again.
 * An audit position is the epoch microsecond it was stamped at, shifted left 10 bits, with the stamping store's own
 * number (random at open) in those bits: unique, increasing per store, ordered by the clocks across nodes; the
 * entry's time is the position's millisecond, so pruning by age is range deletes of positions.
 * Values are binary, a format byte ({@code 0x01}) first: a library is its modification time (8 bytes, epoch ms) and
 * its code in UTF-8, so a library of N bytes takes N + 9 bytes of value (N + 13 with format {@code 0x02}, which
 * adds the function count); a version's code is its UTF-8 bytes; a function, an index, a user, a version's
 * metadata, a counter and an audit entry are fields in {@link java.io.DataOutputStream} encoding (see
 * {@code EtcdValues}).
 *
 * <h2>Consistency</h2>
 * <ul>
 * <li>Every write is one etcd request, acknowledged once committed by a majority of members.</li>
 * <li>Reads are linearizable: a read on any process sees every write acknowledged before it. A store opened with a
 * read cache (a server's) answers reads of one library, function or user by key from it; its watch of the prefix
 * drops a changed key within milliseconds of the change, whichever process made it, and while the watch is broken the
 * cache is not used ({@code Store.inSync()} is false), so a cached read is never older than the last change heard
 * (see {@code EtcdReadCache}).</li>
 * <li>Changes of several keys (a function and its library's index; a guarded delete) are optimistic transactions:
 * reads at one revision, then one etcd transaction that compares the modification revision of every key read and
 * writes only if none changed, else the work runs again (up to 64 times, then {@code CONFLICT}).</li>
 * <li>The index key of a library is the guard's point of contention: binding a function rewrites it, and a delete
 * that checked "no function bound" compares it, so a bind and a delete racing from two processes cannot both
 * commit.</li>
 * <li>A library's counter key is its history's point of contention: every version append and purge reads and
 * rewrites it, in the transaction that writes the library, so two processes appending to one library get
 * consecutive numbers (one of them runs again), and an append racing a purge lands either before it (purged) or
 * after it (kept). Versions older than the newest kept ones are range-deleted in the append's transaction.</li>
 * <li>No key is shared by all audit writers: an entry is put under its own position, compared as absent (so two
 * stores never overwrite each other's entry), and transactions that each append an entry do not conflict.</li>
 * <li>A write that cannot fit in one request ({@code EtcdOptions.maxRequestBytes}, etcd's
 * {@code --max-request-bytes}, 1.5 MiB by default) is refused before it is sent ({@code TOO_LARGE}): nothing is
 * half-written. A library write carries its version's code and the audit entry too, so a library of S bytes
 * needs about 2 S + 1.7 KB: at the default limit, libraries up to about 785,000 bytes fit (785,597 measured by
 * {@code EtcdHistoryRaceTest}, library {@code travel-sample/inventory/math}).</li>
 * <li>etcd also caps the operations of one transaction ({@code --max-txn-ops}, 128 by default): a library written
 * with its version is 4 puts (6 operations when it prunes), so one transaction writes up to about 30 libraries
 * with their versions; beyond, etcd's refusal is {@code TOO_LARGE} and nothing is written.</li>
 * </ul>
 */
package dev.evaluator.store.etcd;
