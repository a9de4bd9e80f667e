//! What a warm container keeps between requests: office catalogs and
//! registered kiosks, each for at most [`MAX_AGE`] by the injected clock.
//!
//! A change made elsewhere (an administrator's edit, a kiosk switched off or
//! given a new secret) reaches every container within that age; the
//! container that makes a change forgets its copy at once. Nothing a
//! concurrent request could break is decided from here: capacity, codes,
//! numbers and states are conditions in the store's writes.

use crate::domain::catalog::Catalog;
use crate::domain::ids::OfficeId;
use crate::domain::kiosk::KioskDevice;
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// How long a cached catalog or kiosk is used before it is read again.
pub const MAX_AGE: Duration = Duration::seconds(60);

/// The caches of one container.
#[derive(Default)]
pub struct WarmCache {
    pub(crate) catalogs: Fresh<OfficeId, Arc<Catalog>>,
    pub(crate) kiosks: Fresh<String, KioskDevice>,
}

impl WarmCache {
    /// Forgets everything: the next request reads from the table.
    pub fn forget(&self) {
        self.catalogs.clear();
        self.kiosks.clear();
    }
}

/// Values read at a time, used while younger than [`MAX_AGE`].
pub struct Fresh<K, V> {
    entries: Mutex<HashMap<K, (DateTime<Utc>, V)>>,
}

impl<K, V> Default for Fresh<K, V> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V: Clone> Fresh<K, V> {
    /// The value of `key` if it was read less than [`MAX_AGE`] before `now`
    /// (a clock set back makes every entry stale).
    pub fn get(&self, key: &K, now: DateTime<Utc>) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (read_at, value) = entries.get(key)?;
        let age = now - *read_at;
        (age >= Duration::zero() && age < MAX_AGE).then(|| value.clone())
    }

    pub fn put(&self, key: K, value: V, now: DateTime<Utc>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.insert(key, (now, value));
    }

    pub fn remove(&self, key: &K) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.remove(key);
    }

    fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap() + Duration::seconds(seconds)
    }

    #[test]
    fn a_value_is_used_until_it_is_a_minute_old() {
        let fresh = Fresh::default();
        fresh.put("olsztyn", 1, at(0));
        assert_eq!(fresh.get(&"olsztyn", at(0)), Some(1));
        assert_eq!(fresh.get(&"olsztyn", at(59)), Some(1));
        assert_eq!(fresh.get(&"olsztyn", at(60)), None);
        assert_eq!(fresh.get(&"opava", at(0)), None);
    }

    #[test]
    fn a_clock_set_back_reads_again() {
        let fresh = Fresh::default();
        fresh.put("olsztyn", 1, at(30));
        assert_eq!(fresh.get(&"olsztyn", at(29)), None);
    }

    #[test]
    fn a_forgotten_value_is_read_again() {
        let fresh = Fresh::default();
        fresh.put("olsztyn", 1, at(0));
        fresh.remove(&"olsztyn");
        assert_eq!(fresh.get(&"olsztyn", at(1)), None);
    }
}
