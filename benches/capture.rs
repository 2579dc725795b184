//! `cargo bench --bench capture`: opening a ~200 MB capture. Writes a pcap
//! (Ethernet, 1 000-byte UDP datagrams with every 10th packet TCP) into a
//! temp folder, opens it the way the window does (`lab::capture::open`,
//! streaming), and prints the time, the packets and datagrams per second,
//! and the process's peak RSS (VmHWM) before and after: the session keeps
//! at most its 20 000 datagrams however big the file is. Figures only, no
//! pass or fail. `UDP_LAB_BENCH_MB` sets the size (default 200).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufWriter, Write};
use std::time::Instant;

use udp_lab::lab::capture::{Progress, Recorded, open};

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn frame(udp: bool, n: u32, payload: &[u8]) -> Vec<u8> {
    let mut ip = Vec::new();
    let src = [10, 0, (n >> 8) as u8, n as u8];
    let builder = etherparse::PacketBuilder::ethernet2([2, 0, 0, 0, 0, 1], [2, 0, 0, 0, 0, 2])
        .ipv4(src, [10, 0, 0, 1], 64);
    if udp {
        builder
            .udp(40000 + (n % 1000) as u16, 12345)
            .write(&mut ip, payload)
            .unwrap();
    } else {
        builder
            .tcp(40000, 80, n, 1024)
            .write(&mut ip, payload)
            .unwrap();
    }
    ip
}

fn main() {
    let mb: u64 = std::env::var("UDP_LAB_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let dir = std::env::temp_dir().join(format!("udp-lab-bench-capture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("big.pcap");
    let payload = vec![b'x'; 1000];
    let mut out = BufWriter::new(std::fs::File::create(&path).unwrap());
    let mut header = 0xa1b2_c3d4u32.to_le_bytes().to_vec();
    header.extend_from_slice(&[2, 0, 4, 0]);
    for v in [0u32, 0, 262_144, 1] {
        header.extend_from_slice(&v.to_le_bytes());
    }
    out.write_all(&header).unwrap();
    let mut written = header.len() as u64;
    let mut packets = 0u32;
    while written < mb << 20 {
        let f = frame(packets % 10 != 9, packets, &payload);
        for v in [
            1_764_800_000 + packets / 1000,
            packets % 1000 * 1000,
            f.len() as u32,
            f.len() as u32,
        ] {
            out.write_all(&v.to_le_bytes()).unwrap();
        }
        out.write_all(&f).unwrap();
        written += 16 + f.len() as u64;
        packets += 1;
    }
    out.flush().unwrap();
    drop(out);
    let before = vm_hwm_kb();
    let progress = Progress::default();
    let start = Instant::now();
    let opened = open(&path, &progress).unwrap();
    let secs = start.elapsed().as_secs_f64();
    let after = vm_hwm_kb();
    let Recorded::Capture(imported) = opened.recorded else {
        panic!("read as a session");
    };
    println!(
        "capture: {:.1} MB, {} packets ({} UDP, {} kept, {} left out; skipped {:?})",
        written as f64 / 1e6,
        imported.packets,
        imported.udp,
        imported.session.datagrams.len(),
        imported.left_out,
        imported.skipped
    );
    println!(
        "open: {secs:.2} s, {:.0} MB/s, {:.0} packets/s, {:.0} datagrams/s",
        written as f64 / 1e6 / secs,
        imported.packets as f64 / secs,
        imported.udp as f64 / secs
    );
    println!(
        "peak RSS (VmHWM): {:.1} MB before opening (writing the file), {:.1} MB after",
        before as f64 / 1024.0,
        after as f64 / 1024.0
    );
    println!(
        "progress at the end: {} of {} bytes",
        progress.done.load(std::sync::atomic::Ordering::Relaxed),
        progress.total.load(std::sync::atomic::Ordering::Relaxed)
    );
    drop(imported);
    let _ = std::fs::remove_dir_all(&dir);
}
