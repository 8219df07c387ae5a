//! Per-client limits: at most `limit` events per window and client address,
//! in a sliding window. IPv6 clients are counted per /64, since one host
//! holds a whole /64.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Clients tracked before idle ones are swept out.
const SWEEP_AT: usize = 10_000;

/// A sliding-window limit per client.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    clients: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// `limit` events per `window` per client; 0 means no limit.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window, clients: Mutex::new(HashMap::new()) }
    }

    /// Counts an event of `client` at `now`, unless it is over the limit:
    /// then nothing is counted and the wait until the next allowed event is returned.
    ///
    /// # Errors
    /// How long the client must wait.
    pub fn acquire(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.limit == 0 {
            return Ok(());
        }
        let mut clients = self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if clients.len() >= SWEEP_AT {
            clients.retain(|_, events| {
                events.back().is_some_and(|&t| now.saturating_duration_since(t) < self.window)
            });
        }
        let events = clients.entry(bucket(client)).or_default();
        while events.front().is_some_and(|&t| now.saturating_duration_since(t) >= self.window) {
            events.pop_front();
        }
        if events.len() >= self.limit as usize {
            let oldest = events.front().copied().unwrap_or(now);
            return Err(self.window.saturating_sub(now.saturating_duration_since(oldest)));
        }
        events.push_back(now);
        Ok(())
    }
}

/// The address a limit counts: IPv4 as is, IPv6 by its /64.
pub(crate) fn bucket(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_sixth_in_a_window_waits_for_the_first_to_age_out() {
        let limiter = RateLimiter::new(5, Duration::from_mins(10));
        let start = Instant::now();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for n in 0..5 {
            limiter.acquire(ip, start + Duration::from_secs(n)).unwrap();
        }
        assert_eq!(
            limiter.acquire(ip, start + Duration::from_secs(10)),
            Err(Duration::from_secs(590))
        );
        limiter.acquire("203.0.113.8".parse().unwrap(), start).unwrap();
        limiter.acquire(ip, start + Duration::from_mins(10)).unwrap();
    }

    #[test]
    fn one_ipv6_host_is_one_client() {
        let limiter = RateLimiter::new(1, Duration::from_mins(1));
        let now = Instant::now();
        limiter.acquire("2001:db8:1:2::1".parse().unwrap(), now).unwrap();
        assert!(limiter.acquire("2001:db8:1:2:ffff::9".parse().unwrap(), now).is_err());
        limiter.acquire("2001:db8:1:3::1".parse().unwrap(), now).unwrap();
    }

    proptest! {
        /// P9: whatever the arrival times, no window holds more than the limit.
        /// RELIABILITY E7.
        #[test]
        fn no_window_holds_more_than_the_limit(
            gaps in proptest::collection::vec(0u64..400, 1..200),
            limit in 1u32..8,
        ) {
            let window = Duration::from_mins(1);
            let limiter = RateLimiter::new(limit, window);
            let ip: IpAddr = "192.0.2.1".parse().unwrap();
            let start = Instant::now();
            let mut at = start;
            let mut accepted = Vec::new();
            for gap in gaps {
                at += Duration::from_millis(gap * 100);
                if limiter.acquire(ip, at).is_ok() {
                    accepted.push(at);
                }
            }
            for (i, &t) in accepted.iter().enumerate() {
                let within =
                    accepted[i..].iter().take_while(|&&u| u.duration_since(t) < window).count();
                prop_assert!(within <= limit as usize);
            }
        }
    }
}
