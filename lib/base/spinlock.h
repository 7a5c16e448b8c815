/* spinlock.h - a lock for critical sections of a few hundred nanoseconds
 * (a page cache lookup and a copy of at most 4 KiB).
 *
 * Why not a pthread mutex: its unlock is an atomic exchange, which on x86
 * waits for every store before it to drain, and the critical section has
 * just copied up to 4 KiB. With two batch threads the page caches' mutex
 * calls were 12.5% of all CPU samples (unlock alone 9.0%), against 1.6%
 * with one thread, where glibc skips the atomics; here the unlock is a
 * plain release store. Waiters spin briefly, then yield, so a holder that
 * was preempted (more threads than cores) is not spun against for a whole
 * time slice.
 *
 * Thread-safety: that is its purpose; a lock starts unlocked when zeroed
 * or set with scry_spin_init. Not recursive; no fairness. */
#ifndef SCRY_SPINLOCK_H
#define SCRY_SPINLOCK_H

#include <sched.h>
#include <stdatomic.h>

typedef struct {
    atomic_int held;
} scry_spin;

static inline void scry_spin_init(scry_spin *l) { atomic_init(&l->held, 0); }

static inline void scry_spin_lock(scry_spin *l)
{
    for (unsigned n = 0;; n++) {
        /* Test before the exchange: waiting reads a shared line instead of
         * writing it. */
        if (!atomic_load_explicit(&l->held, memory_order_relaxed) &&
            !atomic_exchange_explicit(&l->held, 1, memory_order_acquire))
            return;
        if (n < 64) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#endif
        } else {
            sched_yield();
        }
    }
}

static inline void scry_spin_unlock(scry_spin *l)
{
    atomic_store_explicit(&l->held, 0, memory_order_release);
}

#endif
