//! Admission of HTTP connections: a cap in total and per client, with room always kept for
//! the node's own monitoring (loopback and the configured monitoring addresses), so that a
//! flood from the LAN can neither exhaust memory nor crowd out /health.
//!
//! A client is an IPv4 address or an IPv6 /64: a host on a LAN can take any address of its
//! /64 at will, so counting those one by one would give it billions of fresh allowances.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The key that stands for a client address in every per-client limit of the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Client {
    V4(u32),
    /// The /64 network.
    V6(u64),
}

impl Client {
    pub fn of(ip: IpAddr) -> Client {
        match ip {
            IpAddr::V4(v4) => Client::V4(u32::from(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Client::V4(u32::from(v4)),
                None => Client::V6((u128::from(v6) >> 64) as u64),
            },
        }
    }
}

#[derive(Clone, Debug)]
pub struct Limits {
    /// Connections at once, from everyone.
    pub total: usize,
    /// Connections at once from one client.
    pub per_client: usize,
    /// Of `total`, how many only privileged clients may take.
    pub reserved: usize,
}

#[derive(Default)]
struct Open {
    total: usize,
    per_client: HashMap<Client, usize>,
}

/// Counts open connections; a [`Ticket`] stands for one and gives its place back when dropped.
pub struct Gate {
    limits: Limits,
    privileged: Vec<IpAddr>,
    open: Mutex<Open>,
    refused: AtomicU64,
}

/// Why a connection was not admitted.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The client has its share open already.
    Client,
    /// The node has all it takes open.
    Full,
}

pub struct Ticket {
    gate: Arc<Gate>,
    client: Client,
}

impl Gate {
    /// `privileged`: addresses besides loopback that may use the reserve (monitoring).
    pub fn new(limits: Limits, privileged: Vec<IpAddr>) -> Arc<Gate> {
        Arc::new(Gate {
            limits,
            privileged,
            open: Mutex::new(Open::default()),
            refused: AtomicU64::new(0),
        })
    }

    /// The node's own checks (`curl 127.0.0.1`, the appliance's scripts) come from 127.0.0.1
    /// or ::1; other loopback addresses count as any client, and the tests use them to stand
    /// for hosts on the LAN.
    pub fn is_privileged(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        ip == IpAddr::from([127, 0, 0, 1])
            || ip == IpAddr::from(std::net::Ipv6Addr::LOCALHOST)
            || self.privileged.contains(&ip)
    }

    /// Admits a connection from `ip`, or says why not. The per-client map holds only the
    /// clients with a connection open, so it never outgrows `total`.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Ticket, Refused> {
        let privileged = self.is_privileged(ip);
        let client = Client::of(ip);
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let cap = if privileged {
            self.limits.total
        } else {
            self.limits.total.saturating_sub(self.limits.reserved)
        };
        let mine = open.per_client.get(&client).copied().unwrap_or(0);
        let verdict = if open.total >= cap {
            Err(Refused::Full)
        } else if !privileged && mine >= self.limits.per_client {
            Err(Refused::Client)
        } else {
            Ok(())
        };
        if let Err(e) = verdict {
            drop(open);
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(e);
        }
        open.total += 1;
        *open.per_client.entry(client).or_insert(0) += 1;
        Ok(Ticket {
            gate: self.clone(),
            client,
        })
    }

    /// Connections open now, and refused since start.
    pub fn counts(&self) -> (usize, u64) {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        (open.total, self.refused.load(Ordering::Relaxed))
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self.gate.open.lock().unwrap_or_else(|p| p.into_inner());
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.per_client.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                open.per_client.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn gate() -> Arc<Gate> {
        Gate::new(
            Limits {
                total: 6,
                per_client: 2,
                reserved: 2,
            },
            vec!["10.0.0.9".parse().unwrap()],
        )
    }

    #[test]
    fn a_client_gets_its_share_and_the_reserve_stays_for_monitoring() {
        let g = gate();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        let t1 = g.admit(a).unwrap();
        let _t2 = g.admit(a).unwrap();
        assert_eq!(g.admit(a).err(), Some(Refused::Client));
        let b = ["10.0.0.2", "10.0.0.3"].map(|ip| g.admit(ip.parse().unwrap()).unwrap());
        // Four open: the last two places are the reserve.
        assert_eq!(
            g.admit("10.0.0.4".parse().unwrap()).err(),
            Some(Refused::Full)
        );
        let _m = g.admit("10.0.0.9".parse().unwrap()).unwrap();
        let _l = g.admit("127.0.0.1".parse().unwrap()).unwrap();
        assert_eq!(g.admit("::1".parse().unwrap()).err(), Some(Refused::Full));
        drop(t1);
        assert_eq!(g.counts(), (5, 3));
        // Five open, monitoring's two among them: the others still wait for a place.
        assert_eq!(g.admit(a).err(), Some(Refused::Full));
        drop(b);
        g.admit(a).unwrap();
    }

    #[test]
    fn an_ipv6_client_is_its_slash_64() {
        let g = gate();
        let _one = g.admit("fd00::1".parse().unwrap()).unwrap();
        let _two = g.admit("fd00::2:3:4".parse().unwrap()).unwrap();
        assert_eq!(
            g.admit("fd00::ffff:1".parse().unwrap()).err(),
            Some(Refused::Client)
        );
        g.admit("fd00:0:0:1::1".parse().unwrap()).unwrap();
        assert_ne!(
            Client::of("0.0.0.1".parse().unwrap()),
            Client::of("::".parse().unwrap())
        );
        assert_eq!(
            Client::of("::ffff:10.0.0.1".parse().unwrap()),
            Client::of("10.0.0.1".parse().unwrap())
        );
    }
}
