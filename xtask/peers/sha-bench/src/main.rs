//! SHA-256 throughput (GB/s, one core) of the sha2 crate, ring and aws-lc-rs over a buffer in
//! 1 MiB updates, the way a download feeds its hasher. Per second of this thread's CPU time
//! (`/proc/thread-self/schedstat`, like `openssl speed`'s user-time figures), so that other load
//! on the machine does not count; wall time is printed too.

use std::time::Instant;

use sha2::Digest as _;

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1024);
    let block: Vec<u8> = (0..1usize << 20).map(|i| (i * 31 % 251) as u8).collect();
    let total = (mib << 20) as f64;
    let time = |name: &str, f: &dyn Fn() -> Vec<u8>| {
        let (mut best, mut best_wall) = (f64::MAX, f64::MAX);
        let mut out = Vec::new();
        for _ in 0..5 {
            let (t, cpu) = (Instant::now(), on_cpu());
            out = f();
            best = best.min(on_cpu() - cpu);
            best_wall = best_wall.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{name:<18} {:>6.3} GB/s per CPU second ({best:.3} CPU s, {best_wall:.3} s wall for {mib} MiB)  {}",
            total / best / 1e9,
            hex(&out[..4])
        );
    };
    time("sha2", &|| {
        let mut h = sha2::Sha256::new();
        for _ in 0..mib {
            h.update(&block);
        }
        h.finalize().to_vec()
    });
    time("ring::digest", &|| {
        let mut h = ring::digest::Context::new(&ring::digest::SHA256);
        for _ in 0..mib {
            h.update(&block);
        }
        h.finish().as_ref().to_vec()
    });
    time("aws_lc_rs::digest", &|| {
        let mut h = aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256);
        for _ in 0..mib {
            h.update(&block);
        }
        h.finish().as_ref().to_vec()
    });
}

/// Seconds this thread has run on a CPU.
fn on_cpu() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(f64::NAN, |ns| ns / 1e9)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
