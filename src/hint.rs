//! Performance hints that change no result: a software prefetch, so that the run loop can have
//! the states of the next events on their way from memory together (their misses overlap, where
//! one at a time each would stall the processor in turn).

/// Starts bringing the cache line holding `value` into every level of the cache. A hint: it never
/// faults and changes nothing observable; a no-op off x86-64.
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    safe_arch::prefetch_t0(value);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
