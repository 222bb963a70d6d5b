//! Memory accounting for the sinks whose state grows with their input.
//!
//! A `MemoryPool` holds the session's limit (`ember.memory_limit`); every
//! growing sink takes a `MemoryReservation` from it and grows it before it
//! keeps more data. When growing fails the caller gets `ResourcesExhausted`
//! (spilling to disk is built on top of this contract later). A reservation
//! gives its bytes back when dropped, so a failed or cancelled query frees
//! everything it held.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use ember_core::{Error, Result};

/// The memory budget of one session (or query).
#[derive(Debug)]
pub struct MemoryPool {
    limit: Option<usize>,
    used: AtomicUsize,
    peak: AtomicUsize,
}

impl MemoryPool {
    pub fn new(limit: Option<usize>) -> Arc<MemoryPool> {
        Arc::new(MemoryPool { limit, used: AtomicUsize::new(0), peak: AtomicUsize::new(0) })
    }

    pub fn unlimited() -> Arc<MemoryPool> {
        MemoryPool::new(None)
    }

    pub fn limit(&self) -> Option<usize> {
        self.limit
    }

    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }

    /// A new, empty reservation for the named consumer.
    pub fn reserve(self: &Arc<Self>, consumer: impl Into<String>) -> MemoryReservation {
        MemoryReservation { pool: self.clone(), consumer: consumer.into(), size: 0, peak: Arc::default() }
    }

    fn try_grow(&self, bytes: usize, consumer: &str) -> Result<()> {
        let mut current = self.used.load(Ordering::Relaxed);
        loop {
            let next = current.saturating_add(bytes);
            if let Some(limit) = self.limit {
                if next > limit {
                    return Err(Error::ResourcesExhausted(format!(
                        "{consumer} needs {} more bytes but the memory limit of {} bytes is reached ({} in use); raise ember.memory_limit",
                        bytes, limit, current
                    )));
                }
            }
            match self.used.compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Relaxed) {
                Ok(_) => {
                    self.peak.fetch_max(next, Ordering::Relaxed);
                    return Ok(());
                }
                Err(actual) => current = actual,
            }
        }
    }

    fn shrink(&self, bytes: usize) {
        self.used.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// Bytes held by one consumer; returned to the pool on drop.
#[derive(Debug)]
pub struct MemoryReservation {
    pool: Arc<MemoryPool>,
    consumer: String,
    size: usize,
    /// The largest `size` so far, shared with whoever reports it
    /// (`EXPLAIN ANALYZE`).
    peak: Arc<AtomicUsize>,
}

impl MemoryReservation {
    pub fn size(&self) -> usize {
        self.size
    }

    /// A handle on this reservation's peak size that outlives it.
    pub fn peak_tracker(&self) -> Arc<AtomicUsize> {
        self.peak.clone()
    }

    /// Grows by `bytes`, or fails with `ResourcesExhausted` leaving the size unchanged.
    pub fn try_grow(&mut self, bytes: usize) -> Result<()> {
        self.pool.try_grow(bytes, &self.consumer)?;
        self.size += bytes;
        self.peak.fetch_max(self.size, Ordering::Relaxed);
        Ok(())
    }

    /// Sets the size to `bytes`, growing or shrinking.
    pub fn try_resize(&mut self, bytes: usize) -> Result<()> {
        if bytes > self.size {
            self.try_grow(bytes - self.size)
        } else {
            self.shrink(self.size - bytes);
            Ok(())
        }
    }

    pub fn shrink(&mut self, bytes: usize) {
        let b = bytes.min(self.size);
        self.pool.shrink(b);
        self.size -= b;
    }

    pub fn free(&mut self) {
        self.shrink(self.size);
    }

    /// Moves this reservation's bytes into a new one (same consumer, same
    /// peak tracker) and leaves this one empty: for memory handed to
    /// another owner, which then frees it when it drops.
    pub fn take(&mut self) -> MemoryReservation {
        let size = std::mem::take(&mut self.size);
        MemoryReservation { pool: self.pool.clone(), consumer: self.consumer.clone(), size, peak: self.peak.clone() }
    }
}

impl Drop for MemoryReservation {
    fn drop(&mut self) {
        self.free();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_enforced_and_memory_returns_on_drop() {
        let pool = MemoryPool::new(Some(100));
        let mut a = pool.reserve("a");
        a.try_grow(60).unwrap();
        let mut b = pool.reserve("b");
        let err = b.try_grow(50).unwrap_err();
        assert!(matches!(err, Error::ResourcesExhausted(_)));
        assert_eq!(b.size(), 0);
        drop(a);
        assert_eq!(pool.used(), 0);
        let tracker = b.peak_tracker();
        b.try_grow(90).unwrap();
        assert_eq!(pool.peak(), 90);
        b.shrink(40);
        drop(b);
        assert_eq!(tracker.load(Ordering::Relaxed), 90);
    }

    #[test]
    fn taken_bytes_stay_reserved_until_their_new_owner_drops() {
        let pool = MemoryPool::new(Some(100));
        let mut a = pool.reserve("a");
        a.try_grow(70).unwrap();
        let mut handed = a.take();
        assert_eq!((a.size(), handed.size()), (0, 70));
        drop(a);
        assert_eq!(pool.used(), 70);
        // the new owner counts against the same peak
        handed.try_grow(10).unwrap();
        assert_eq!(handed.peak_tracker().load(Ordering::Relaxed), 80);
        drop(handed);
        assert_eq!(pool.used(), 0);
    }
}
